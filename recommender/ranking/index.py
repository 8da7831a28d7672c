"""The TF-IDF paper index: row-normalised vectors of every paper, with ids and
announcement dates; fitted on the corpus and extended with new papers (the maths;
recommender/stores/index.py reads the papers and keeps the index on disk)."""

from __future__ import annotations

import mmap
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from recommender.ranking.acronyms import find_acronyms


def make_vectorizer(n_docs: int) -> TfidfVectorizer:
    return TfidfVectorizer(
        ngram_range=(1, 2),
        min_df=2 if n_docs >= 50 else 1,
        max_df=0.5 if n_docs >= 50 else 1.0,
        max_features=200_000,
        sublinear_tf=True,
        stop_words="english",
        strip_accents="unicode",
        dtype=np.float32,
    )


class RowLookup:
    """Paper id -> row number, by binary search in the ids sorted once: a dict of a million
    ids holds a million Python strings and ints (about 120 MB); this holds one int array."""

    def __init__(self, ids: np.ndarray, order: np.ndarray | None = None) -> None:
        self.ids = ids
        self.order = order if order is not None else np.argsort(ids, kind="stable")

    def __len__(self) -> int:
        return int(self.ids.size)

    def get(self, pid: Any, default: int | None = None) -> int | None:
        if not isinstance(pid, str) or not self.ids.size:
            return default
        i = int(np.searchsorted(self.ids, pid, sorter=self.order))
        if i < self.order.size:
            row = int(self.order[i])
            if self.ids[row] == pid:
                return row
        return default

    def __getitem__(self, pid: str) -> int:
        row = self.get(pid)
        if row is None:
            raise KeyError(pid)
        return row

    def __contains__(self, pid: object) -> bool:
        return self.get(pid) is not None

    def rows(self, pids: list[str]) -> np.ndarray:
        """Rows of many ids at once (-1 for an unknown id)."""
        if not pids or not self.ids.size:
            return np.full(len(pids), -1, dtype=np.int64)
        wanted = np.asarray(pids, dtype=str)
        i = np.minimum(np.searchsorted(self.ids, wanted, sorter=self.order), self.order.size - 1)
        found = self.order[i].astype(np.int64)
        return np.where(self.ids[found] == wanted, found, -1)


def mapping_of(array: object) -> mmap.mmap | None:
    """The memory map under a NumPy array (np.load(..., mmap_mode="r") and its views), if any."""
    while array is not None:
        found = getattr(array, "_mmap", None)
        if isinstance(found, mmap.mmap):
            return found
        array = getattr(array, "base", None)
    return None


def id_array(ids: Any) -> np.ndarray:
    """Paper ids as a numpy string array (not an array of Python objects)."""
    values = ids.tolist() if isinstance(ids, np.ndarray) else list(ids)
    return np.array(values, dtype=str) if values else np.zeros(0, dtype="<U1")


def compact(matrix: sp.spmatrix) -> sp.csr_matrix:
    """CSR with float32 values and int32 indices while they fit (half the bytes of int64), in
    canonical form (sorted, no duplicates), so that a read-only (memory-mapped) copy of it
    is never sorted in place by SciPy."""
    matrix = matrix.tocsr()
    if matrix.dtype != np.float32:
        matrix = matrix.astype(np.float32)
    if matrix.nnz < 2**31 - 1 and (matrix.indices.dtype != np.int32 or matrix.indptr.dtype != np.int32):
        matrix = sp.csr_matrix((matrix.data, matrix.indices.astype(np.int32), matrix.indptr.astype(np.int32)),
                               shape=matrix.shape)
    if not matrix.has_canonical_format:
        if not (matrix.data.flags.writeable and matrix.indices.flags.writeable):
            matrix = matrix.copy()
        matrix.sum_duplicates()
    return matrix


def mapped_csr(data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    """A CSR matrix over arrays written by `compact` (e.g. memory-mapped): marked canonical
    rather than checked, since the check reads every page."""
    matrix = sp.csr_matrix((data, indices, indptr), shape=shape, copy=False)
    matrix.has_sorted_indices = True
    matrix.has_canonical_format = True
    return matrix


def mapped_csc(data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, shape: tuple[int, int]) -> sp.csc_matrix:
    """`mapped_csr`, term-major (written by `tocsc` of a canonical matrix: canonical too)."""
    matrix = sp.csc_matrix((data, indices, indptr), shape=shape, copy=False)
    matrix.has_sorted_indices = True
    matrix.has_canonical_format = True
    return matrix


@dataclass
class PaperIndex:
    """Row-normalised TF-IDF vectors of every paper, with ids and announcement dates."""

    vectorizer: TfidfVectorizer
    matrix: sp.csr_matrix
    ids: np.ndarray
    published: np.ndarray  # datetime64[D]; NaT when unknown
    fingerprint: tuple[int, str]
    fitted_docs: int
    fit_id: str = ""  # changes only when the vocabulary is refitted
    acronyms: dict[str, tuple[str, int]] = field(default_factory=dict)  # read at the fit (ranking/acronyms.py)
    terms: np.ndarray = field(default=None, repr=False)  # type: ignore[assignment]  # the vocabulary's terms by column
    order: np.ndarray | None = field(default=None, repr=False)  # the rows sorted by id (`row`), when known
    columns: sp.csc_matrix | None = field(default=None, repr=False)  # the matrix term-major, when known (`by_term`)

    def __post_init__(self) -> None:
        if self.ids.dtype == object:
            self.ids = id_array(self.ids)
        if self.terms is None:
            self.terms = self.vectorizer.get_feature_names_out()
        self._row: RowLookup | None = None
        self._cache: dict[object, object] = {}  # answers that only depend on this (never mutated) index
        # What scoring contexts over this index share (ranking/context.py: the reference block, one at a time).
        self.shared: dict[str, object] = {}

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("_row", "_cache", "shared")}

    def __setstate__(self, state: dict) -> None:
        """Also reads an index pickled before the lookup and the term-major copy (benchmark caches)."""
        state = {k: v for k, v in state.items() if k != "row"}  # was a dict of every id
        state.setdefault("order", None)
        state.setdefault("columns", None)
        self.__dict__.update(state)
        self.__post_init__()

    @property
    def row(self) -> RowLookup:
        """Paper id -> row (`get`, `[]`, `in`), sorted on first use."""
        if self._row is None:
            self._row = RowLookup(self.ids, self.order)
            self.order = self._row.order
        return self._row

    def __len__(self) -> int:
        return len(self.ids)

    def release(self) -> int:
        """Hand the pages of memory-mapped arrays (stores/index.py maps them) back to the kernel
        after a batch that read much of them (the daily refit and refold): they stay in the page
        cache, and the next read maps them again without reading the disk. Returns how many
        mappings; in-memory arrays are left alone."""
        arrays = [self.matrix.data, self.matrix.indices, self.matrix.indptr, self.ids, self.published, self.order]
        if self.columns is not None:
            arrays += [self.columns.data, self.columns.indices, self.columns.indptr]
        done = 0
        for mapped in {id(m): m for m in map(mapping_of, arrays) if m is not None}.values():
            mapped.madvise(mmap.MADV_DONTNEED)
            done += 1
        return done

    def by_term(self) -> sp.csc_matrix:
        """The matrix term-major (CSC): a query's few terms read only their own columns."""
        if self.columns is None:
            self.columns = self.matrix.tocsc()
        return self.columns

    def cosines(self, query: sp.csr_matrix) -> np.ndarray:
        """`matrix @ query.T` as a float32 vector, from the query's columns only (bitwise the
        CSR product's sums: each paper's terms are added in the same ascending order)."""
        query = query.tocsr()
        if not query.has_sorted_indices:
            query = query.sorted_indices()  # a copy: the caller's query is left as it is
        if not query.nnz:
            return np.zeros(len(self.ids), dtype=np.float32)
        part = self.by_term()[:, query.indices]
        return np.asarray(part @ query.data.astype(np.float32), dtype=np.float32).ravel()

    def embed(self, texts: list[str]) -> sp.csr_matrix:
        return normalize(self.vectorizer.transform(texts)).astype(np.float32)

    def reference_rows(self, size: int = 2000, seed: int = 0) -> np.ndarray:
        """A fixed random sample of papers that profile scores are standardised on."""
        if len(self.ids) <= size:
            return np.arange(len(self.ids))
        key = ("reference", size, seed)
        if key not in self._cache:
            self._cache[key] = np.sort(np.random.default_rng(seed).choice(len(self.ids), size, replace=False))
        return self._cache[key].copy()  # type: ignore[attr-defined]

    def newest(self) -> date | None:
        if "newest" not in self._cache:
            valid = self.published[~np.isnat(self.published)]
            self._cache["newest"] = valid.max().astype(date) if valid.size else None
        return self._cache["newest"]  # type: ignore[return-value]

    def window(self, days: int, newest: date | None = None) -> np.ndarray:
        """Row numbers of papers announced within `days` of the newest paper."""
        newest = newest or self.newest()
        if newest is None:
            return np.arange(len(self.ids))
        start = np.datetime64(newest) - np.timedelta64(days - 1, "D")
        mask = self.published >= start
        return np.flatnonzero(mask)


def dates_array(values: list[date | None]) -> np.ndarray:
    return np.array([np.datetime64(d) if d else np.datetime64("NaT") for d in values], dtype="datetime64[D]")


def fit(ids: list[str], texts: list[str], dates: list[date | None], fingerprint: tuple[int, str]) -> PaperIndex:
    """Fit the vocabulary and vectors on these papers (a new `fit_id`)."""
    vectorizer = make_vectorizer(len(ids))
    matrix = compact(normalize(vectorizer.fit_transform(texts)))
    # The terms cut by min_df/max_df/max_features (millions of word pairs): only for
    # introspection, and the bulk of the vectorizer's memory and pickle (sklearn says so).
    vectorizer.stop_words_ = None
    return PaperIndex(
        vectorizer, matrix, id_array(ids), dates_array(dates), fingerprint, len(ids), uuid.uuid4().hex[:12],
        acronyms=find_acronyms(texts, min_count=2 if len(ids) >= 50 else 1),
    )


def extend(index: PaperIndex, ids: list[str], texts: list[str], dates: list[date | None], fingerprint: tuple[int, str]) -> PaperIndex:
    """Add or replace the vectors of these papers, keeping the vocabulary.

    Row numbers are stable: a changed paper keeps its row and new papers are appended,
    so stored profile vectors (which name rows) stay valid until the next refit.
    """
    if not ids:
        return PaperIndex(
            index.vectorizer, index.matrix, index.ids, index.published, fingerprint, index.fitted_docs, index.fit_id,
            acronyms=index.acronyms, terms=index.terms, order=index.order, columns=index.columns,
        )
    n = len(index.ids)
    take = np.arange(n)
    fresh_ids, fresh_dates, fresh_pos = [], [], []
    published = index.published.copy()
    for j, (pid, when) in enumerate(zip(ids, dates_array(dates))):
        row = index.row.get(pid)
        if row is None:
            fresh_ids.append(pid)
            fresh_dates.append(when)
            fresh_pos.append(n + j)
        else:
            take[row] = n + j
            published[row] = when
    take = np.concatenate([take, np.array(fresh_pos, dtype=take.dtype)])
    matrix = sp.vstack([index.matrix, index.embed(texts)], format="csr")
    if not np.array_equal(take, np.arange(take.size)):  # some papers replaced: their new vectors move up
        matrix = matrix[take]
    all_ids = np.concatenate([index.ids, id_array(fresh_ids)]) if fresh_ids else index.ids
    published = np.concatenate([published, np.array(fresh_dates, dtype="datetime64[D]")])
    return PaperIndex(
        index.vectorizer, compact(matrix), all_ids, published, fingerprint, index.fitted_docs, index.fit_id,
        acronyms=index.acronyms, terms=index.terms, order=index.order if not fresh_ids else None,
    )
