"""Paper embeddings in the database (once per paper) and in memory for scoring."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

import numpy as np
import scipy.sparse as sp
from sqlalchemy import delete, func, insert, select

from recommender.ranking.community import CommunityModel
from recommender.ranking.index import PaperIndex
from recommender.ranking.semantic import (
    DIM,
    MODEL_NAME,
    Encoder,
    SemanticContext,
    embedding_text,
    fit_semantic,
    from_bytes,
    text_hash,
    to_bytes,
)
from recommender.storage.db import Database
from recommender.storage.models import Paper, PaperEmbedding, utcnow
from recommender.stores.community import (
    CHEAP_REFIT_PAPERS,
    REFIT_AFTER_SECONDS,
    key_id,
    likes_matrix,
    likes_signature,
)

log = logging.getLogger(__name__)

CHUNK = 256  # papers encoded, then committed, together
QUERY_IDS = 500  # ids per IN (...) query


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def pending_ids(db: Database, model: str = MODEL_NAME, ids: Sequence[str] | None = None) -> list[str]:
    """Papers with no embedding of `model` for their current title and abstract (all, or of `ids`)."""
    query = (
        select(Paper.id, Paper.title, Paper.abstract, PaperEmbedding.model, PaperEmbedding.text_hash)
        .outerjoin(PaperEmbedding, PaperEmbedding.paper_id == Paper.id)
        .order_by(Paper.id)
    )
    out: list[str] = []
    with db.session() as s:
        for chunk in _chunks(list(ids), QUERY_IDS) if ids is not None else [None]:
            rows = s.execute(query.where(Paper.id.in_(chunk)) if chunk is not None else query)
            for pid, title, abstract, stored_model, stored_hash in rows:
                if stored_model != model or stored_hash != text_hash(embedding_text(title, abstract)):
                    out.append(pid)
    return out


def embed_papers(
    db: Database, encoder: Encoder, ids: Sequence[str] | None = None, progress: Callable[[int], None] | None = None,
) -> int:
    """Embed the papers that need it (all, or of `ids`) and store them; returns how many."""
    todo = pending_ids(db, encoder.name, ids)
    done = 0
    for chunk in _chunks(todo, CHUNK):
        with db.session() as s:
            papers = s.execute(select(Paper.id, Paper.title, Paper.abstract).where(Paper.id.in_(chunk))).all()
        texts = [embedding_text(title, abstract) for _, title, abstract in papers]
        vectors = encoder.encode(texts, progress=progress)  # slow: outside any transaction
        with db.session() as s:
            alive = set(s.scalars(select(Paper.id).where(Paper.id.in_(chunk))))  # not deleted meanwhile
            rows = [
                {"paper_id": pid, "model": encoder.name, "text_hash": text_hash(text), "vector": to_bytes(vec),
                 "embedded_at": utcnow()}
                for (pid, _, _), text, vec in zip(papers, texts, vectors) if pid in alive
            ]
            s.execute(delete(PaperEmbedding).where(PaperEmbedding.paper_id.in_([r["paper_id"] for r in rows])))
            if rows:
                s.execute(insert(PaperEmbedding), rows)
        done += len(rows)
        log.info("embedded %d of %d papers", done, len(todo))
    return done


def embedding_counts(db: Database, model: str = MODEL_NAME) -> tuple[int, int]:
    """(papers, papers with an embedding of `model`)."""
    with db.session() as s:
        papers = s.scalar(select(func.count(Paper.id))) or 0
        embedded = s.scalar(select(func.count(PaperEmbedding.paper_id)).where(PaperEmbedding.model == model)) or 0
    return int(papers), int(embedded)


@dataclass
class _Fitted:
    key: tuple[int, int, str, int]  # likes signature, liked papers with an embedding
    model: CommunityModel | None
    model_id: str
    fitted_at: float


class SemanticStore:
    """Every paper's embedding in memory (loaded incrementally), aligned to the index,
    and the semantic community model, refitted like `CommunityStore`'s."""

    def __init__(self, db: Database, model: str = MODEL_NAME) -> None:
        self.db = db
        self.model = model
        self._row: dict[str, int] = {}
        self._bank = np.zeros((0, DIM), dtype=np.float32)
        self._since: datetime | None = None
        self._signature: tuple[int, str] | None = None
        self._aligned: tuple[tuple[str, tuple[int, str], tuple[int, str]], np.ndarray] | None = None
        self._fitted: _Fitted | None = None
        self._basis: tuple[tuple[int, int], tuple[int, str] | None] | None = None
        self._background: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return self._fitted.model_id if self._fitted else "none"

    def context(self, index: PaperIndex, force: bool = False) -> SemanticContext:
        with self._lock:
            embeddings = self._embeddings(index)
            fitted = self._current(index, embeddings, force)
            # Member vectors hold their liked papers' embeddings: the version names those too.
            version = f"{fitted.model_id}:{key_id(self._signature)}"
        return SemanticContext(embeddings, fitted.model, fitted.model_id, version)

    def refresh(self, index: PaperIndex) -> CommunityModel | None:
        """Refit now (the scheduled job after ingestion calls this)."""
        return self.context(index, force=True).community

    # -- embeddings ------------------------------------------------------------

    def _stored_signature(self) -> tuple[int, str]:
        with self.db.session() as s:
            count, newest = s.execute(
                select(func.count(PaperEmbedding.paper_id), func.max(PaperEmbedding.embedded_at))
                .where(PaperEmbedding.model == self.model)
            ).one()
        return int(count or 0), newest.isoformat() if newest else ""

    def _load(self, signature: tuple[int, str]) -> None:
        """Read embeddings stored since the last read (all of them if some were deleted)."""
        if self._signature is not None and signature[0] < self._signature[0]:
            self._row, self._bank, self._since = {}, np.zeros((0, DIM), dtype=np.float32), None
        query = select(PaperEmbedding.paper_id, PaperEmbedding.vector, PaperEmbedding.embedded_at).where(
            PaperEmbedding.model == self.model
        )
        if self._since is not None:
            query = query.where(PaperEmbedding.embedded_at >= self._since)
        fresh: list[np.ndarray] = []
        with self.db.session() as s:
            for pid, blob, when in s.execute(query):
                vector = from_bytes(blob)
                row = self._row.get(pid)
                if row is None:
                    self._row[pid] = self._bank.shape[0] + len(fresh)
                    fresh.append(vector)
                else:
                    self._bank[row] = vector
                self._since = when if self._since is None or when > self._since else self._since
        if fresh:
            self._bank = np.vstack([self._bank, np.asarray(fresh, dtype=np.float32)])
        self._signature = signature

    def _embeddings(self, index: PaperIndex) -> np.ndarray:
        """Index rows x DIM; zero rows for papers not embedded yet."""
        signature = self._stored_signature()
        key = (index.fit_id, index.fingerprint, signature)
        if self._aligned is not None and self._aligned[0] == key:
            return self._aligned[1]
        if signature != self._signature:
            self._load(signature)
        rows = np.fromiter((self._row.get(pid, -1) for pid in index.ids.tolist()), dtype=np.int64, count=len(index))
        aligned = np.zeros((len(index), DIM), dtype=np.float32)
        have = rows >= 0
        aligned[have] = self._bank[rows[have]]
        self._aligned = (key, aligned)
        return aligned

    # -- the semantic community model --------------------------------------------

    def _current(self, index: PaperIndex, embeddings: np.ndarray, force: bool) -> _Fitted:
        basis = (likes_signature(self.db), self._signature)
        fitted = self._fitted
        if fitted is not None and not force and basis == self._basis:
            return fitted  # neither the likes nor the stored embeddings changed
        self._basis = basis
        likes_sig = basis[0]
        likes, members = likes_matrix(self.db, index)
        liked = likes.getnnz(axis=1) > 0
        key = (*likes_sig, int((liked & (np.abs(embeddings).sum(axis=1) > 0)).sum()))
        if fitted is not None and not force and fitted.key == key:
            return fitted
        if fitted is not None and not force and int(liked.sum()) > CHEAP_REFIT_PAPERS:
            if time.monotonic() - fitted.fitted_at < REFIT_AFTER_SECONDS:
                return fitted
            self._fit_in_background(embeddings, likes, key)  # minutes: serve the previous model meanwhile
            return fitted
        self._fitted = self._fit(embeddings, likes, key) if members else _Fitted(key, None, "none", time.monotonic())
        return self._fitted

    def _fit(self, embeddings: np.ndarray, likes: sp.csr_matrix, key: tuple[int, int, str, int]) -> _Fitted:
        model = fit_semantic(embeddings, likes)
        return _Fitted(key, model, key_id((key, self._signature)) if model else "none", time.monotonic())

    def _fit_in_background(self, embeddings: np.ndarray, likes: sp.csr_matrix, key: tuple[int, int, str, int]) -> None:
        if self._background is not None and self._background.is_alive():
            return

        def work() -> None:
            fitted = self._fit(embeddings, likes, key)
            with self._lock:
                self._fitted = fitted

        self._background = threading.Thread(target=work, name="semantic-fit", daemon=True)
        self._background.start()
