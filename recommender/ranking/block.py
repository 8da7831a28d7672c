"""A block of candidate papers in every representation profiles need, and the cache of
liked and dismissed papers' cosines with it, kept across the member chunks of one digest."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np
import scipy.sparse as sp

from recommender.ranking.community import CoLikes, CommunityModel
from recommender.ranking.index import PaperIndex
from recommender.ranking.semantic import SemanticContext


class Models(Protocol):
    """What a block is built from: the scoring context (ranking/context.py) has these."""

    index: PaperIndex
    community: CommunityModel | None
    colikes: CoLikes | None
    semantic: SemanticContext | None

# Cosines of liked/dismissed papers with a block's candidates kept per block: this many
# floats (1.2 GB) or this many papers, whichever allows more.
SIMS_CACHE_FLOATS = 300_000_000
SIMS_CACHE_ROWS = 50_000
PARALLEL_ROWS = 4000  # cosines of this many papers or more are computed on two threads


@dataclass
class PaperBlock:
    """Candidate papers in every representation the parts of a profile need."""

    rows: np.ndarray
    tfidf_t: sp.csr_matrix  # terms x papers
    latent_t: np.ndarray | None  # rank x papers
    colike_t: sp.csr_matrix | None  # members x papers
    popularity: np.ndarray | None
    semantic_t: np.ndarray | None = None  # embedding dims x papers (semantic extra)
    semantic_latent_t: np.ndarray | None = None  # semantic rank x papers
    terms: np.ndarray | None = None  # distinct terms of each paper (topics weigh their cosines by it)
    # Cosines of indexed papers with this block, kept across member chunks of one digest:
    # index row `_kept_rows[i]` (sorted) has its cosines in `_sims[_kept_at[i]]`; the buffer only grows.
    _sims: np.ndarray | None = field(default=None, repr=False)
    _kept_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), repr=False)
    _kept_at: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def warm(self) -> np.ndarray | None:
        """Papers that already have likes (None without the community's likes)."""
        return None if self.popularity is None else self.popularity > 0

    def keep_sims(self, ctx: Models, rows: np.ndarray) -> None:
        """Compute and keep the cosines of these index rows with the block, in the given
        order of priority, as far as `SIMS_CACHE_FLOATS` / `SIMS_CACHE_ROWS` allow."""
        with self._lock:
            self._keep(ctx, rows)

    def forget_sims(self) -> None:
        """Drop the kept cosines (after a batch that needed many)."""
        with self._lock:
            self._sims = None
            self._kept_rows = np.zeros(0, dtype=np.int64)
            self._kept_at = np.zeros(0, dtype=np.int64)

    def sims(self, ctx: Models, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(positions, matrix): the cosines of index row `rows[i]` with every paper of the
        block are `matrix[positions[i]]`. Kept rows are not copied; others are computed."""
        with self._lock:
            self._keep(ctx, rows)
            assert self._sims is not None
            pos, kept = self._positions(rows), self._sims  # rows below the count never change
        missing = pos < 0
        if not missing.any():
            return pos, kept
        # The cache is full: a matrix of just these rows, from the cache and computed.
        local = np.empty((rows.size, self.rows.size), dtype=np.float32)
        local[~missing] = kept[pos[~missing]]
        self._cosines(ctx, rows[missing], local, np.flatnonzero(missing))
        return np.arange(rows.size), local

    def _cosines(self, ctx: Models, rows: np.ndarray, out: np.ndarray, at: np.ndarray | slice) -> None:
        """out[at] = cosines of the index rows with the block; big sets on two threads
        (SciPy's sparse products release the GIL)."""
        if rows.size < PARALLEL_ROWS:
            out[at] = (ctx.index.matrix[rows] @ self.tfidf_t).toarray()
            return
        positions = np.arange(out.shape[0])[at]
        halves = np.array_split(np.arange(rows.size), 2)

        def half(part: np.ndarray) -> None:
            out[positions[part]] = (ctx.index.matrix[rows[part]] @ self.tfidf_t).toarray()

        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(half, halves))

    def _positions(self, rows: np.ndarray) -> np.ndarray:
        """Where each index row's cosines are kept (-1: not kept)."""
        if not self._kept_rows.size:
            return np.full(rows.size, -1, dtype=np.int64)
        i = np.minimum(np.searchsorted(self._kept_rows, rows), self._kept_rows.size - 1)
        return np.where(self._kept_rows[i] == rows, self._kept_at[i], -1)

    def _keep(self, ctx: Models, rows: np.ndarray) -> None:
        n = self.rows.size
        limit = max(SIMS_CACHE_FLOATS // max(n, 1), SIMS_CACHE_ROWS)
        if self._sims is None:
            self._sims = np.zeros((0, n), dtype=np.float32)
        rows = rows[self._positions(rows) < 0]
        _, first = np.unique(rows, return_index=True)
        count = self._kept_rows.size
        rows = rows[np.sort(first)][: max(limit - count, 0)]  # distinct, in priority order
        if not rows.size:
            return
        need = count + rows.size
        if need > self._sims.shape[0]:  # grow by doubling, so that repeated calls copy little
            grown = np.empty((min(max(need, 2 * self._sims.shape[0]), limit), n), dtype=np.float32)
            grown[:count] = self._sims[:count]
            self._sims = grown
        self._cosines(ctx, rows, self._sims, slice(count, need))
        kept = np.concatenate([self._kept_rows, rows])
        order = np.argsort(kept, kind="stable")
        self._kept_rows, self._kept_at = kept[order], np.concatenate([self._kept_at, np.arange(count, need)])[order]

    def fresh(self) -> PaperBlock:
        """The same papers and representations (shared, never mutated) with no kept cosines."""
        return replace(self, _sims=None, _kept_rows=np.zeros(0, dtype=np.int64), _kept_at=np.zeros(0, dtype=np.int64),
                       _lock=threading.Lock())

    @classmethod
    def of(cls, ctx: Models, rows: np.ndarray) -> PaperBlock:
        block = ctx.index.matrix[rows]
        latent = ctx.community.latent_of(ctx.index.matrix, rows).T.copy() if ctx.community is not None else None
        colike = pop = None
        if ctx.colikes is not None:
            colike = ctx.colikes.normalized[rows].T.tocsr()
            pop = ctx.colikes.popularity[rows]
        out = cls(rows, block.T.tocsr(), latent, colike, pop)  # CSR: csr @ csr needs no conversion
        out.terms = np.diff(block.indptr)
        if ctx.semantic is not None:
            out.semantic_t = np.ascontiguousarray(ctx.semantic.embeddings[rows].T)
            sem_latent = ctx.semantic.latent(rows)
            out.semantic_latent_t = sem_latent.T.copy() if sem_latent is not None else None
        return out
