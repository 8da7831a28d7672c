"""A block of candidate papers in every representation profiles need, and the cache of
liked and dismissed papers' cosines with it, kept across the member chunks of one digest."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np
import scipy.sparse as sp

from recommender.ranking.community import CoLikes, CommunityModel
from recommender.ranking.index import PaperIndex
from recommender.ranking.kernels import add_product
from recommender.ranking.semantic import SemanticContext
from recommender.ranking.threads import parallel, small_pages


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
COSINE_ROWS = 2000  # ... this many rows at a time
# A block of this many papers or more takes every cosine with it (of papers, of topics) by
# parts: the library's `DENSE_TERMS` most frequent terms as dense matrices (BLAS), the rest
# by a sparse product added straight into the dense result (ranking/kernels.py). The same
# way for one member and for a batch, so both get the same floats. (100 terms: 1.3 s of CPU
# for 69,000 liked papers x 2,000 candidates, against 2.9 s with 800 and SciPy's product.)
# (Not past SPLIT_MAX_PAPERS: the dense part would be big, and such blocks serve one member.)
SPLIT_PAPERS = 500
SPLIT_MAX_PAPERS = 20_000
DENSE_TERMS = 100


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
    _dense: tuple[np.ndarray, np.ndarray, sp.csr_matrix] | None = field(default=None, repr=False)
    _idf: np.ndarray | None = field(default=None, repr=False)  # the library's, for `_split`
    _split_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

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
        """out[at] = cosines of the index rows with the block, `COSINE_ROWS` rows at a time
        (the sparse product's output is dense: bounded, it stays small); big sets on two
        threads (SciPy's sparse products and BLAS release the GIL)."""
        positions = np.arange(out.shape[0])[at]
        parts = [np.arange(a, min(a + COSINE_ROWS, rows.size)) for a in range(0, rows.size, COSINE_ROWS)]

        def part(p: np.ndarray) -> None:
            out[positions[p]] = self.product(ctx.index.matrix[rows[p]])

        parallel(part, parts, 2 if rows.size >= PARALLEL_ROWS else 1)

    @property
    def split(self) -> bool:
        """Whether cosines with this block go by dense and sparse terms (`SPLIT_PAPERS`)."""
        return SPLIT_PAPERS <= self.rows.size <= SPLIT_MAX_PAPERS and self._idf is not None

    def product(self, x: sp.csr_matrix) -> np.ndarray:
        """x @ tfidf_t as a dense array (x: rows x terms, e.g. papers or topics); for a big
        block, the library's most frequent terms by BLAS (`_split`), the rest sparse."""
        if not self.split:
            return (x @ self.tfidf_t).toarray()
        where, dense, rest = self._split()
        pos = where[x.indices]
        hit = pos >= 0
        xd = np.zeros((x.shape[0], dense.shape[0]), dtype=np.float32)
        xd[np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))[hit], pos[hit]] = x.data[hit]
        out = xd @ dense
        return add_product(x.tocsr(), rest, out)

    def _split(self) -> tuple[np.ndarray, np.ndarray, sp.csr_matrix]:
        """The library's `DENSE_TERMS` most frequent terms (lowest IDF: a choice that does not
        depend on the block) as a dense matrix, the rest sparse: (term -> dense row or -1,
        dense terms x papers, the other terms x papers)."""
        with self._split_lock:  # not `_lock`: held by `_keep`, which comes here
            if self._dense is None:
                assert self._idf is not None
                t = self.tfidf_t
                top = np.argsort(self._idf, kind="stable")[: min(DENSE_TERMS, t.shape[0])]
                where = np.full(t.shape[0], -1, dtype=np.int64)
                where[top] = np.arange(top.size)
                rest = t.copy()
                rest.data[np.repeat(where >= 0, np.diff(t.indptr))] = 0
                rest.eliminate_zeros()
                self._dense = (where, t[top].toarray().astype(np.float32), rest)
            return self._dense

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
            with small_pages():  # filled once: no huge pages to compact for (ranking/threads.py)
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
        out._idf = getattr(ctx.index.vectorizer, "idf_", None)
        if ctx.semantic is not None:
            out.semantic_t = np.ascontiguousarray(ctx.semantic.embeddings[rows].T)
            sem_latent = ctx.semantic.latent(rows)
            out.semantic_latent_t = sem_latent.T.copy() if sem_latent is not None else None
        return out
