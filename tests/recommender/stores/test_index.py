"""The TF-IDF index: persisted, not refitted per request, refreshed after ingestion."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, select

from recommender.ingest.runner import ingest
from recommender.papers import PaperRecord
from recommender.ranking.index import PaperIndex
from recommender.service import PaperService
from recommender.storage.models import Paper
from recommender.stores.index import ARRAYS, IndexStore
from recommender.views import Target

GNN = "graph neural networks"


def file_id(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_ino, st.st_mtime_ns


def newest_day(service: PaperService) -> str:
    with service.db.session() as s:
        return s.scalar(select(func.max(Paper.published))).isoformat()


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def synthetic(n: int, start: int = 0) -> list[dict[str, Any]]:
    words = ["graph", "neural", "speech", "protein", "diffusion", "robot", "quantum", "market"]
    return [
        {
            "id": f"2607.{10000 + i:05d}",
            "title": f"{words[i % 8]} {words[(i + 3) % 8]} study {i}",
            "abstract": f"We study {words[i % 8]} and {words[(i + 5) % 8]} methods in depth.",
            "published": "2026-07-01",
        }
        for i in range(start, start + n)
    ]


def test_index_is_persisted_and_a_new_store_loads_it(service: PaperService) -> None:
    index = service.index()
    assert index is not None and len(index) == service.stats()["papers"]
    path = service.index_store.path
    assert path.is_file()
    before = file_id(path)

    other = IndexStore(service.db, service.settings.index_dir)  # e.g. the CLI next to the running bot
    assert other.size == 0
    loaded = other.get()
    assert loaded is not None and loaded is not index
    assert loaded.ids.tolist() == index.ids.tolist()
    assert loaded.terms.tolist() == index.terms.tolist()
    assert (loaded.matrix != index.matrix).nnz == 0
    assert file_id(path) == before  # loaded, not refitted and rewritten


def test_requests_do_not_refit(service: PaperService) -> None:
    service.subscribe(Target.user(1, 5), GNN)
    index = service.index()
    before = file_id(service.index_store.path)
    for _ in range(3):
        assert service.recommend(1).picks
    service.compose_personal_digests([(1, date.today())])[0]
    service.compose_digest_for_channel(9, 5)
    assert service.index() is index
    assert file_id(service.index_store.path) == before


def test_ingested_papers_become_recommendable_incrementally(service: PaperService, tmp_path: Path) -> None:
    old = service.index()
    assert old is not None
    paper = {
        "id": "2607.00001",
        "title": "Graph neural networks: message passing graph neural networks on graphs",
        "abstract": "Graph neural networks (GNNs) learn on graphs. We study graph neural networks.",
        "published": newest_day(service),
    }
    report = service.ingest_file(write_jsonl(tmp_path / "new.jsonl", [paper]))
    assert report.new == 1

    index = service.index()
    assert index is not None and index is not old
    assert len(index) == len(old) + 1 and "2607.00001" in index.row
    # An incremental update: same vocabulary, no refit for one new paper.
    assert index.fitted_docs == old.fitted_docs
    assert index.terms.tolist() == old.terms.tolist()

    service.subscribe(Target.user(3), GNN)
    assert "2607.00001" in [r.paper.id for r in service.recommend(3).picks]

    # What was written is what another process loads.
    fresh = IndexStore(service.db, service.settings.index_dir).get()
    assert fresh is not None and len(fresh) == len(index)


def test_a_newer_version_replaces_the_papers_vector(service: PaperService, tmp_path: Path) -> None:
    service.subscribe(Target.user(4), GNN)
    top = service.recommend(4).picks[0].paper
    size = len(service.index() or [])
    rewritten = {
        "id": f"{top.id}v9",
        "title": "Tone-conditioned speech recognition for low-resource languages",
        "abstract": "Automatic speech recognition (ASR) for accented speech, with speech recognition benchmarks.",
    }
    assert service.ingest_file(write_jsonl(tmp_path / "v9.jsonl", [rewritten])).updated == 1
    assert len(service.index() or []) == size  # replaced, not added
    assert top.id not in [r.paper.id for r in service.recommend(4, limit=10).picks]
    assert top.id in [r.paper.id for r in service.recommend(4, topic="speech recognition").picks]


def test_refit_once_much_of_the_corpus_is_new(bare_service: PaperService, tmp_path: Path) -> None:
    bare_service.ingest_file(write_jsonl(tmp_path / "a.jsonl", synthetic(10)))
    first = bare_service.index()
    assert first is not None and (len(first), first.fitted_docs) == (10, 10)

    bare_service.ingest_file(write_jsonl(tmp_path / "b.jsonl", synthetic(1, start=10)))
    small = bare_service.index()
    assert small is not None and (len(small), small.fitted_docs) == (11, 10)  # 10% new: updated

    bare_service.ingest_file(write_jsonl(tmp_path / "c.jsonl", synthetic(3, start=11)))
    refit = bare_service.index()
    assert refit is not None and (len(refit), refit.fitted_docs) == (14, 14)  # >20% new: refitted

    full = bare_service.index_store.refresh(full=True)
    assert full is not None and full.fitted_docs == 14 and full is not refit


def test_a_store_picks_up_a_file_rewritten_by_another_process(service: PaperService, tmp_path: Path) -> None:
    bot_store = IndexStore(service.db, service.settings.index_dir)
    assert bot_store.get() is not None
    size = bot_store.size
    service.ingest_file(write_jsonl(tmp_path / "one.jsonl", synthetic(1)))  # the CLI ingests and rewrites
    written = file_id(bot_store.path)
    index = bot_store.get()
    assert index is not None and len(index) == size + 1
    assert file_id(bot_store.path) == written  # read the other process's file, did not rebuild


def test_a_stale_file_is_brought_up_to_date(service: PaperService) -> None:
    size = len(service.index() or [])
    # Papers land without the service (another process that does not refresh the index).
    record = PaperRecord(id="2607.00002", title="Graph neural networks everywhere", abstract="GNN.", source="file")
    ingest(service.db, "file", [("line 1", record)])
    store = IndexStore(service.db, service.settings.index_dir)
    index = store.get()
    assert index is not None and len(index) == size + 1 and "2607.00002" in index.row


def test_a_corrupt_file_is_rebuilt(bare_service: PaperService, tmp_path: Path) -> None:
    bare_service.ingest_file(write_jsonl(tmp_path / "a.jsonl", synthetic(5)))
    path = bare_service.index_store.path
    path.write_bytes(b"\x00 not a joblib file \xff")
    index = IndexStore(bare_service.db, bare_service.settings.index_dir).get()
    assert isinstance(index, PaperIndex) and len(index) == 5
    assert IndexStore(bare_service.db, bare_service.settings.index_dir).get() is not None  # the rebuilt file loads
    assert os.path.getsize(path) > 100


def test_no_papers_no_index(bare_service: PaperService) -> None:
    assert bare_service.index() is None
    assert not bare_service.index_store.path.exists()
    assert bare_service.stats()["index_papers"] == 0


def test_papers_of_stop_words_alone_make_no_index_until_real_text_arrives(bare_service: PaperService, tmp_path: Path) -> None:
    stop = [{"id": f"2601.0000{i}", "title": "The and of", "abstract": "", "published": "2026-01-0{}".format(i + 1)}
            for i in range(3)]
    report = bare_service.ingest_file(write_jsonl(tmp_path / "stop.jsonl", stop))  # no sklearn "empty vocabulary" error
    assert report.new == 3 and bare_service.index() is None
    bare_service.ingest_file(write_jsonl(tmp_path / "real.jsonl", synthetic(10)))
    index = bare_service.index()
    assert index is not None and len(index) == 13


def test_round_trip_keeps_every_part(bare_service: PaperService, tmp_path: Path) -> None:
    bare_service.ingest_file(write_jsonl(tmp_path / "a.jsonl", synthetic(30)))
    index = bare_service.index()
    assert index is not None
    loaded = IndexStore(bare_service.db, bare_service.settings.index_dir).stored()
    assert loaded is not None and loaded is not index
    assert loaded.ids.tolist() == index.ids.tolist() and loaded.ids.dtype.kind == "U"
    assert loaded.terms.tolist() == index.terms.tolist()
    assert (loaded.matrix != index.matrix).nnz == 0
    assert loaded.matrix.dtype == np.float32 and loaded.matrix.indices.dtype == np.int32
    assert np.array_equal(loaded.published, index.published, equal_nan=True)
    assert (loaded.fingerprint, loaded.fitted_docs, loaded.fit_id, loaded.acronyms) == (
        index.fingerprint, index.fitted_docs, index.fit_id, index.acronyms)
    assert all(loaded.row[pid] == i for i, pid in enumerate(index.ids.tolist()))
    assert loaded.row.get("2607.99999") is None and "2607.99999" not in loaded.row
    assert loaded.vectorizer.stop_words_ is None  # millions of cut word pairs are not kept


def test_a_day_update_writes_new_rows_not_a_new_vocabulary(bare_service: PaperService, tmp_path: Path) -> None:
    bare_service.ingest_file(write_jsonl(tmp_path / "a.jsonl", synthetic(20)))
    directory = bare_service.settings.index_dir
    vocabularies = sorted(directory.glob("vocabulary-*"))
    first_rows = sorted(directory.glob("rows-*"))
    assert len(vocabularies) == 1 and len(first_rows) == len(ARRAYS)
    vocabulary_id = file_id(vocabularies[0])
    bare_service.ingest_file(write_jsonl(tmp_path / "b.jsonl", synthetic(1, start=20)))
    index = bare_service.index()
    assert index is not None and (len(index), index.fitted_docs) == (21, 20)
    assert sorted(directory.glob("vocabulary-*")) == vocabularies and file_id(vocabularies[0]) == vocabulary_id
    rows = sorted(directory.glob("rows-*"))
    assert len(rows) == len(ARRAYS) and not set(rows) & set(first_rows)  # the replaced generation is gone


def test_a_store_keeps_working_after_another_process_replaced_the_files(service: PaperService, tmp_path: Path) -> None:
    bot_store = IndexStore(service.db, service.settings.index_dir)
    held = bot_store.get()
    assert held is not None
    service.ingest_file(write_jsonl(tmp_path / "one.jsonl", synthetic(1)))  # the CLI rewrites: old arrays removed
    assert float(abs(held.matrix).sum()) > 0  # still readable: its memory-mapped files outlive their names
    index = bot_store.get()
    assert index is not None and len(index) == len(held) + 1 and "2607.10000" in index.row


def test_a_missing_array_is_rebuilt(bare_service: PaperService, tmp_path: Path) -> None:
    bare_service.ingest_file(write_jsonl(tmp_path / "a.jsonl", synthetic(5)))
    directory = bare_service.settings.index_dir
    next(directory.glob("rows-*.indices.npy")).unlink()
    index = IndexStore(bare_service.db, directory).get()
    assert isinstance(index, PaperIndex) and len(index) == 5
    assert IndexStore(bare_service.db, directory).stored() is not None  # the rebuilt files load


def test_a_truncated_array_is_rebuilt(bare_service: PaperService, tmp_path: Path) -> None:
    bare_service.ingest_file(write_jsonl(tmp_path / "a.jsonl", synthetic(5)))
    directory = bare_service.settings.index_dir
    data = next(directory.glob("rows-*.data.npy"))
    data.write_bytes(data.read_bytes()[:100])
    index = IndexStore(bare_service.db, directory).get()
    assert isinstance(index, PaperIndex) and len(index) == 5


def test_an_index_of_the_old_format_is_refitted_and_removed(bare_service: PaperService, tmp_path: Path) -> None:
    bare_service.ingest_file(write_jsonl(tmp_path / "a.jsonl", synthetic(5)))
    directory = bare_service.settings.index_dir
    for path in directory.iterdir():
        path.unlink()
    (directory / "tfidf.joblib").write_bytes(b"format 3 pickle")
    index = IndexStore(bare_service.db, directory).get()
    assert isinstance(index, PaperIndex) and len(index) == 5
    assert not (directory / "tfidf.joblib").exists() and (directory / "index.json").exists()


def test_release_hands_back_the_mapped_pages_and_the_index_still_reads(bare_service: PaperService, tmp_path: Path) -> None:
    bare_service.ingest_file(write_jsonl(tmp_path / "a.jsonl", synthetic(30)))
    index = IndexStore(bare_service.db, bare_service.settings.index_dir).stored()
    assert index is not None
    before = (index.matrix @ index.matrix.T).toarray()
    assert index.release() == len(ARRAYS)
    assert np.array_equal((index.matrix @ index.matrix.T).toarray(), before)
    assert fit_in_memory_releases_nothing(tmp_path) == 0


def fit_in_memory_releases_nothing(tmp_path: Path) -> int:
    from recommender.ranking.index import fit

    records = synthetic(10)
    return fit([r["id"] for r in records], [r["title"] for r in records], [None] * 10, (10, "")).release()


def test_a_paper_deleted_by_hand_is_noticed_at_the_next_count(bare_service: PaperService, tmp_path: Path) -> None:
    from sqlalchemy import delete

    from recommender.stores import index as index_store

    bare_service.ingest_file(write_jsonl(tmp_path / "a.jsonl", synthetic(6)))
    store = IndexStore(bare_service.db, bare_service.settings.index_dir)
    assert len(store.get() or []) == 6
    with bare_service.db.session() as s:  # not the newest paper: the newest time does not change
        s.execute(delete(Paper).where(Paper.id == "2607.10000"))
    same = store.get()
    assert same is not None and same.fingerprint[0] == 6  # counted less than COUNT_EVERY_SECONDS ago
    store._counted_at -= index_store.COUNT_EVERY_SECONDS
    index = store.get()
    assert index is not None and index.fingerprint[0] == 5  # brought up to date (rows go at the next refit)
