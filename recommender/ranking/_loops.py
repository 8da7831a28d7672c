"""The compiled loops behind ranking/kernels.py (numba, cached on disk): imported on first
use, so that commands which never score do not load numba."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(nogil=True, cache=True)
def sparse_sparse(xp, xi, xd, rp, ri, rd, out):  # type: ignore[no-untyped-def]
    for i in range(xp.size - 1):
        row = out[i]
        for k in range(xp[i], xp[i + 1]):
            t, v = xi[k], xd[k]
            for j in range(rp[t], rp[t + 1]):
                row[ri[j]] += v * rd[j]


@njit(nogil=True, cache=True)
def sparse_dense(mp, mi, md, dense, out):  # type: ignore[no-untyped-def]
    n = dense.shape[1]
    for i in range(mp.size - 1):
        row = out[i]
        for k in range(mp[i], mp[i + 1]):
            src = dense[mi[k]]
            v = md[k]
            for j in range(n):
                row[j] += v * src[j]


@njit(nogil=True, cache=True)
def rows_max(owners, ids, scale, marks, source, out, which):  # type: ignore[no-untyped-def]
    for k in range(owners.size):
        row, mark, src, by, m = out[owners[k]], which[owners[k]], source[ids[k]], scale[k], marks[k]
        for j in range(row.size):
            v = src[j] / by
            if v > row[j]:
                row[j] = v
                mark[j] = m


@njit(nogil=True, cache=True)
def subtract_positive(rows, raw, scale, weight, out):  # type: ignore[no-untyped-def]
    for k in range(rows.size):
        row, src, by = out[rows[k]], raw[k], scale[k]
        for j in range(row.size):
            v = src[j] / by
            if v > 0:
                row[j] -= weight * v


@njit(nogil=True, cache=True)
def above(scores, weight, floor, short, values):  # type: ignore[no-untyped-def]
    rows, n = scores.shape
    pool = short.shape[1]
    counts = np.zeros(rows, dtype=np.int64)
    for i in range(rows):
        row = scores[i]
        c = 0
        for j in range(n):
            v = row[j] * weight[j]
            row[j] = v
            if v > floor:
                if c < pool:
                    short[i, c] = j
                    values[i, c] = v
                c += 1
        counts[i] = c
    return counts
