"""Stored embeddings: which papers need one, and the in-memory copy scoring reads.

These run without the extra: the rows are written as the ingestion hook writes them,
with vectors made here, so the storage code is exercised on SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import delete, insert, select

from recommender.ranking.semantic import (
    DIM,
    MODEL_NAME,
    embedding_text,
    from_bytes,
    load_encoder,
    text_hash,
    to_bytes,
)
from recommender.service import PaperService
from recommender.storage.models import Paper, PaperEmbedding, utcnow
from recommender.stores.semantic import SemanticStore, embedding_counts, pending_ids
from tests.support.semantic import (
    ALL,
    RELATED,
    UNRELATED,
    needs_extra,
    paper,
    write_jsonl,
)

pytestmark = pytest.mark.semantic  # also run in CI's venv with the semantic extra (.ci/run)

PAPERS = [
    paper("2606.10001", "Graph neural networks for molecules", "Message passing predicts molecular properties."),
    paper("2606.10002", "Diffusion models for protein design", "Denoising generates new protein backbones."),
    paper("2606.10003", "Speech recognition with transformers", "Attention transcribes spoken audio."),
]


def store_vectors(service: PaperService, vectors: dict[str, np.ndarray]) -> None:
    """Write embeddings the way the ingestion hook does (current text hash, this model)."""
    with service.db.session() as s:
        texts = {pid: embedding_text(t, a) for pid, t, a in s.execute(
            select(Paper.id, Paper.title, Paper.abstract).where(Paper.id.in_(list(vectors))))}
        s.execute(delete(PaperEmbedding).where(PaperEmbedding.paper_id.in_(list(vectors))))
        s.execute(insert(PaperEmbedding), [
            {"paper_id": pid, "model": MODEL_NAME, "text_hash": text_hash(texts[pid]), "vector": to_bytes(v),
             "embedded_at": utcnow()} for pid, v in vectors.items()
        ])


def unit(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return v / np.linalg.norm(v)


def test_pending_papers_are_those_without_an_embedding_of_their_current_text(bare_service: PaperService, tmp_path: Path) -> None:
    bare_service.ingest_file(write_jsonl(tmp_path / "a.jsonl", PAPERS))
    assert pending_ids(bare_service.db) == ["2606.10001", "2606.10002", "2606.10003"]
    store_vectors(bare_service, {"2606.10001": unit(1), "2606.10002": unit(2)})
    assert pending_ids(bare_service.db) == ["2606.10003"]
    assert pending_ids(bare_service.db, ids=["2606.10001", "2606.10003"]) == ["2606.10003"]
    assert embedding_counts(bare_service.db) == (3, 2)

    # A new version with another abstract needs a new embedding; the same text does not.
    changed = dict(PAPERS[0], abstract="Equivariant message passing predicts energies.", version=2)
    bare_service.ingest_file(write_jsonl(tmp_path / "b.jsonl", [changed, PAPERS[1]]))
    assert pending_ids(bare_service.db) == ["2606.10001", "2606.10003"]
    assert pending_ids(bare_service.db, model="another-model") == ["2606.10001", "2606.10002", "2606.10003"]


def test_scoring_reads_embeddings_aligned_to_the_index_and_follows_new_ones(bare_service: PaperService, tmp_path: Path) -> None:
    bare_service.ingest_file(write_jsonl(tmp_path / "a.jsonl", PAPERS))
    store_vectors(bare_service, {"2606.10001": unit(1), "2606.10003": unit(3)})
    index = bare_service.index()
    assert index is not None
    store = SemanticStore(bare_service.db)
    first = store.context(index).embeddings
    assert first.shape == (3, DIM)
    np.testing.assert_array_equal(first[index.row["2606.10001"]], unit(1))
    np.testing.assert_array_equal(first[index.row["2606.10003"]], unit(3))
    assert not first[index.row["2606.10002"]].any()  # not embedded yet: a zero row
    assert store.context(index).embeddings is first  # nothing changed: no new read

    store_vectors(bare_service, {"2606.10002": unit(2), "2606.10003": unit(4)})  # one new, one recomputed
    second = store.context(index).embeddings
    np.testing.assert_array_equal(second[index.row["2606.10002"]], unit(2))
    np.testing.assert_array_equal(second[index.row["2606.10003"]], unit(4))
    np.testing.assert_array_equal(second[index.row["2606.10001"]], unit(1))

    with bare_service.db.session() as s:  # a deleted paper takes its embedding with it
        s.execute(delete(Paper).where(Paper.id == "2606.10001"))
    assert embedding_counts(bare_service.db) == (2, 2)
    assert not store.context(index).embeddings[index.row["2606.10001"]].any()


def test_few_likes_fit_no_semantic_community_model(bare_service: PaperService, tmp_path: Path) -> None:
    bare_service.ingest_file(write_jsonl(tmp_path / "a.jsonl", PAPERS))
    store_vectors(bare_service, {p["id"]: unit(n) for n, p in enumerate(PAPERS)})
    bare_service.feedback(5, "2606.10001", "like")
    index = bare_service.index()
    assert index is not None
    sem = SemanticStore(bare_service.db).context(index)
    assert sem.community is None and sem.model_id == "none"  # too few likes to learn from


@needs_extra
def test_ingestion_embeds_each_new_paper_once(semantic_service: PaperService, tmp_path: Path) -> None:
    semantic_service.ingest_file(write_jsonl(tmp_path / "a.jsonl", ALL))
    first = stored(semantic_service)
    assert set(first) == {p["id"] for p in ALL}
    assert all(model == MODEL_NAME and from_bytes(blob).shape == (DIM,) for model, blob, _ in first.values())
    expected = load_encoder().encode([f"{RELATED['title']}. {RELATED['abstract']}"])[0]
    np.testing.assert_allclose(from_bytes(first[RELATED["id"]][1]), expected, atol=1e-5)

    semantic_service.ingest_file(write_jsonl(tmp_path / "b.jsonl", ALL))  # the same papers again
    assert stored(semantic_service) == first

    changed = dict(UNRELATED, abstract="Rye starters ferment slowly in a cold kitchen.", version=2)
    semantic_service.ingest_file(write_jsonl(tmp_path / "c.jsonl", [changed, RELATED]))
    third = stored(semantic_service)
    assert third[UNRELATED["id"]][2] != first[UNRELATED["id"]][2]  # its text changed: embedded again
    assert not np.allclose(from_bytes(third[UNRELATED["id"]][1]), from_bytes(first[UNRELATED["id"]][1]))
    assert {pid: v for pid, v in third.items() if pid != UNRELATED["id"]} == {
        pid: v for pid, v in first.items() if pid != UNRELATED["id"]}


@needs_extra
def test_the_backfill_embeds_what_was_ingested_before_the_extra_was_on(bare_service: PaperService, tmp_path: Path) -> None:
    bare_service.ingest_file(write_jsonl(tmp_path / "a.jsonl", ALL))  # semantic off: nothing embedded
    assert bare_service.embedding_counts() == (len(ALL), 0)
    assert bare_service.embed_papers() == len(ALL)
    assert bare_service.embedding_counts() == (len(ALL), len(ALL))
    assert bare_service.embed_papers() == 0  # once per paper


def stored(service: PaperService) -> dict[str, tuple[str, bytes, object]]:
    """Every stored embedding: (model, vector bytes, when it was computed) per paper."""
    with service.db.session() as s:
        rows = s.execute(select(PaperEmbedding.paper_id, PaperEmbedding.model, PaperEmbedding.vector,
                                PaperEmbedding.embedded_at)).all()
    return {pid: (model, blob, when) for pid, model, blob, when in rows}
