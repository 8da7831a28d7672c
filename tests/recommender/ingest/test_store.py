"""The idempotent store: dedupe across sources and versions, by arXiv id, DOI, then title."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from recommender.ingest.jobs import run_file
from recommender.ingest.store import Entry, Sighting, upsert_batch
from recommender.papers import PaperRecord
from recommender.storage.models import Feedback, PaperSource, User
from tests.support.sources import BIB
from tests.support.stored import papers, write


def rec(pid: str, title: str = "Deep residual learning for image recognition", **kw) -> PaperRecord:
    return PaperRecord(id=pid, title=title, abstract=kw.pop("abstract", "Residual nets."), **kw)


def upsert(db, *items):
    with db.session() as s:
        return upsert_batch(s, list(items))


def test_versions_update_in_place(db) -> None:
    upsert(db, rec("1512.03385", version=1, published=date(2015, 12, 10), categories=["cs.CV"]))
    result = upsert(db, rec("1512.03385", version=2, abstract="Revised.", published=date(2015, 12, 20)))
    assert result.updated == 1
    assert upsert(db, rec("1512.03385", version=1, abstract="Old.")).updated == 0  # older: ignored
    paper = papers(db)["1512.03385"]
    assert (paper.version, paper.abstract, paper.published, paper.categories) == (2, "Revised.", date(2015, 12, 10), ["cs.CV"])


def test_doi_match_then_arxiv_takes_over_a_provisional_row(db, tmp_path) -> None:
    run_file(db, write(tmp_path, "lib.bib", BIB))
    with db.session() as s:
        s.add(User(id=42))
        s.flush()
        s.add(Feedback(user_id=42, paper_id="doi:10.1007/bfb0020217", kind="like"))
    arxiv = rec("9999.00001", "Kernel principal component analysis for nonlinear feature extraction",
                doi="10.1007/BFb0020217", categories=["stat.ML"], version=1, source="arxiv")
    result = upsert(db, arxiv)
    stored = papers(db)
    assert "doi:10.1007/bfb0020217" not in stored and stored["9999.00001"].categories == ["stat.ML"]
    assert result.updated == 1 and result.new == 0
    with db.session() as s:
        assert s.scalars(select(Feedback.paper_id)).all() == ["9999.00001"]  # the like followed the paper


def test_title_is_the_last_resort_for_records_without_ids(db, tmp_path) -> None:
    upsert(db, rec("1512.03385", version=1, categories=["cs.CV"], source="arxiv"))
    csv = "title,abstract,authors\nDeep Residual Learning for Image Recognition!,Another abstract,Kaiming He\n"
    report = run_file(db, write(tmp_path, "more.csv", csv))
    assert set(papers(db)) == {"1512.03385"} and report.new == 0
    assert papers(db)["1512.03385"].abstract == "Residual nets."  # a file without an id only fills gaps
    # Two different arXiv papers with the same title stay two papers.
    upsert(db, rec("2401.00001", version=1))
    assert len(papers(db)) == 2


def test_same_id_from_two_sources_in_one_batch(db) -> None:
    hf = Entry(rec("2606.13681", "HF title", abstract="HF text", source="hf"), Sighting("hf", "2606.13681", upvotes=3))
    arxiv = Entry(rec("2606.13681", "arXiv title", abstract="arXiv text", source="arxiv", version=1))
    upsert(db, arxiv, hf)
    paper = papers(db)["2606.13681"]
    assert paper.title == "arXiv title"
    with db.session() as s:
        assert s.scalars(select(PaperSource.upvotes)).all() == [3]
