"""BibTeX files: entries, LaTeX accents and braces, DOIs, a broken entry."""

from __future__ import annotations

import time
from datetime import date

from recommender.ingest.identity import provisional_id
from recommender.ingest.jobs import run_file
from tests.support.sources import BIB
from tests.support.stored import papers, write


def test_bibtex_import(db, tmp_path) -> None:
    report = run_file(db, write(tmp_path, "library.bib", BIB))
    stored = papers(db)
    assert set(stored) == {"1706.03762", "doi:10.1007/bfb0020217"}
    assert stored["1706.03762"].authors == ["Ashish Vaswani", "Noam Shazeer", "Niki Parmar"]
    assert stored["1706.03762"].published == date(2017, 6, 1)
    kernel = stored["doi:10.1007/bfb0020217"]
    assert kernel.title == "Kernel Principal Component Analysis for Nonlinear Feature Extraction"
    assert kernel.authors[0] == "Bernhard Schölkopf"
    assert report.skipped == 1 and report.status == "partial"
    assert run_file(db, write(tmp_path, "library.bib", BIB)).new == 0  # re-import changes nothing


def test_a_10_mb_field_is_cut_before_decoding(db, tmp_path) -> None:
    # bibtexparser's LaTeX decoding took 14 s for a 1 MB field and did not finish on 10 MB.
    huge = "ab \\'e " * (10**7 // 7)
    path = tmp_path / "huge.bib"
    path.write_text("@article{huge, title={A paper with a huge abstract on graph networks}, abstract={" + huge + "},"
                    " note={" + "n" * 10**7 + "}}\n@article{good, title={Attention is all you need for graphs},"
                    " journal={arXiv preprint arXiv:1706.03762}}\n", encoding="utf-8")
    started = time.perf_counter()
    report = run_file(db, path)
    assert time.perf_counter() - started < 120  # a hang guard (it did not finish in 300 s before), not a speed target
    stored = papers(db)
    assert report.new == 2 and len(stored[provisional_id(None, "A paper with a huge abstract on graph networks")].abstract) <= 20_000
    notes = [str(n) for n in report.notes]
    assert any("abstract cut from 9,999,997 to 40,000 characters before decoding" in n for n in notes)
    assert "1706.03762" in stored


def test_author_names_bibtexparser_cannot_split_cost_only_their_entry(db, tmp_path) -> None:
    # Found by the fuzzing: the entry became a failed block inside the per-entry decoding (IndexError).
    path = write(tmp_path, "names.bib", "@article{odd, title={Odd names on graphs}, author={a, b, c, d}}\n"
                 "@article{good, title={Attention is all you need for graphs}, journal={arXiv preprint arXiv:1706.03762}}\n")
    report = run_file(db, path)
    assert set(papers(db)) == {"1706.03762"}
    assert [str(p) for p in report.problems] == ["line 1 @odd: unreadable BibTeX (MiddlewareErrorBlock)"]
