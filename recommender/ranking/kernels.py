"""Compiled loops (numba) for the sparse products whose output is dense: the cosines of
many papers or topics with a block of candidates, and members' mixes of those cosines.

SciPy's sparse x sparse product builds a sparse result first (most of its time when the
result is mostly nonzero) and its sparse x dense product is a plain loop; these add straight
into a dense array. Each output row is one member's, paper's or topic's and is summed in
the order of its own entries, so a row's floats do not depend on the rows computed with it
(batched and one-by-one scoring get the same numbers). They release the GIL: callers run
them on several threads over disjoint rows.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from types import ModuleType

import numpy as np
import scipy.sparse as sp

_lock = threading.Lock()
_compiled: ModuleType | None = None


def _loops() -> ModuleType:
    """ranking/_loops.py, imported once. Numba keeps the compiled loops beside the module or,
    where the package is read-only (an installed image), in `NUMBA_CACHE_DIR`: set here to a
    user cache directory when it is unset, so that a read-only install still caches."""
    global _compiled
    if _compiled is not None:
        return _compiled
    with _lock:
        if _compiled is None:
            here = Path(__file__).parent
            if "NUMBA_CACHE_DIR" not in os.environ and not os.access(here, os.W_OK):
                home = Path.home() / ".cache"
                base = home if os.access(home if home.exists() else Path.home(), os.W_OK) else Path(tempfile.gettempdir())
                os.environ["NUMBA_CACHE_DIR"] = str(base / "paperbot-numba")
            from recommender.ranking import _loops as compiled

            _compiled = compiled
        return _compiled


def add_product(x: sp.csr_matrix, right: sp.csr_matrix, out: np.ndarray) -> np.ndarray:
    """out += x @ right, for CSR `x` (rows x k) and CSR `right` (k x columns), `out` a
    C-ordered float32 array (rows x columns)."""
    if x.shape[0] != out.shape[0] or right.shape[1] != out.shape[1] or x.shape[1] != right.shape[0]:
        raise ValueError(f"shapes {x.shape} @ {right.shape} -> {out.shape}")
    if x.nnz and right.nnz:
        _loops().sparse_sparse(x.indptr, x.indices, _f32(x.data), right.indptr, right.indices, _f32(right.data), out)
    return out


def add_mix(mix: sp.csr_matrix, dense: np.ndarray, out: np.ndarray) -> np.ndarray:
    """out += mix @ dense, for CSR `mix` (rows x k) and a C-ordered float32 `dense` (k x columns)."""
    if mix.shape[0] != out.shape[0] or dense.shape[1] != out.shape[1] or mix.shape[1] != dense.shape[0]:
        raise ValueError(f"shapes {mix.shape} @ {dense.shape} -> {out.shape}")
    if mix.nnz:
        _loops().sparse_dense(mix.indptr, mix.indices, _f32(mix.data), np.ascontiguousarray(dense, dtype=np.float32), out)
    return out


def _f32(a: np.ndarray) -> np.ndarray:
    return a if a.dtype == np.float32 else a.astype(np.float32)


def rows_max(
    out: np.ndarray, owners: np.ndarray, source: np.ndarray, ids: np.ndarray, scale: np.ndarray | None,
    which: np.ndarray, marks: np.ndarray,
) -> None:
    """For each k in order: out[owners[k]] = max(out[owners[k]], source[ids[k]] / scale[k])
    in place (`scale` None: 1), as NumPy's float32 division and maximum; where source k is
    strictly higher, which[owners[k]] = marks[k] (so the first of equal maxima keeps it)."""
    by = np.ones(owners.size, np.float32) if scale is None else np.asarray(scale, dtype=np.float32)
    _loops().rows_max(owners.astype(np.int64), ids.astype(np.int64), by, marks.astype(which.dtype), source, out, which)


def subtract_positive(out: np.ndarray, rows: np.ndarray, raw: np.ndarray, scale: np.ndarray, weight: float) -> None:
    """out[rows[k]] -= weight * max(raw[k] / scale[k], 0), in place, in float32 as NumPy's
    `out[rows] -= weight * np.clip(raw / scale[:, None], 0, None)` (a dismissed paper's pull)."""
    _loops().subtract_positive(rows.astype(np.int64), raw, np.asarray(scale, dtype=np.float32), np.float32(weight), out)


def weigh_and_shortlist(
    scores: np.ndarray, weight: np.ndarray, floor: float, pool: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """scores *= weight (per column, in place); then each row's columns scoring above `floor`,
    in order, in the first places of (short, values), the others 0 and -inf. Returns (short,
    values, count above) : a row with more than `pool` above has only its first `pool`."""
    short = np.zeros((scores.shape[0], pool), dtype=np.int64)
    values = np.full((scores.shape[0], pool), -np.inf, dtype=np.float32)
    counts = _loops().above(scores, np.asarray(weight, dtype=np.float32), np.float32(floor), short, values)
    return short, values, counts


def best_columns(sims: np.ndarray, k: int, step: int) -> np.ndarray:
    """Each row's `k` largest columns, best first (ties: the lower column first), for rows of
    cosines (>= 0): every `step`-th column gives a lower bound of the k-th largest, so only
    the columns at or above it are sorted. Rows with fewer than k positive columns get
    those, then the first columns not among them."""
    out = np.empty((sims.shape[0], k), dtype=np.int64)
    if sims.shape[0]:
        sims = np.ascontiguousarray(sims)
        _loops().best_columns(sims, k, step, sims.dtype.type(np.finfo(sims.dtype).tiny), out)
    return out


def relative_rows(sample: np.ndarray, center: np.ndarray | None, top: int, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """ranking/scale.py `relative_rows` of float64 rows, one row at a time (see there)."""
    sample = np.ascontiguousarray(sample, dtype=np.float64)
    rows = sample.shape[0]
    middle, spread = np.empty(rows), np.empty(rows)
    given = np.zeros(rows) if center is None else np.asarray(center, dtype=np.float64)
    if rows:
        _loops().relative_rows(sample, given, center is not None, top, eps, middle, spread)
    return middle, spread


def warm() -> None:
    """Load every loop for the index types SciPy uses (compiled once, then read from numba's
    cache: about 0.3 s per process, paid here rather than by the first digest)."""
    dense = np.zeros((2, 2), np.float32)
    for kind in (np.int32, np.int64):
        x = sp.csr_matrix((np.ones(1, np.float32), np.zeros(1, kind), np.array([0, 1, 1], kind)), shape=(2, 2))
        add_product(x, x, dense.copy())
        add_mix(x, dense, dense.copy())
    rows_max(dense.copy(), np.zeros(1, np.int64), dense, np.zeros(1, np.int64), None, np.zeros((2, 2), np.int8), np.ones(1))
    subtract_positive(dense.copy(), np.zeros(1, np.int64), dense, np.ones(2), 0.5)
    weigh_and_shortlist(dense.copy(), np.ones(2, np.float32), 0.0, 1)
    best_columns(np.ones((1, 64), np.float32), 2, 4)
    relative_rows(np.ones((1, 4)), None, 2, 1e-6)
    relative_rows(np.ones((1, 4)), np.zeros(1), 2, 1e-6)
