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


@njit(nogil=True, cache=True)
def best_columns(sims, k, step, tiny, out):  # type: ignore[no-untyped-def]
    rows, n = sims.shape
    cols = np.empty(n, np.int64)
    vals = np.empty(n, np.float32)
    for i in range(rows):
        row = sims[i]
        sample = row[::step].copy()
        floor = max(np.partition(sample, sample.size - k)[sample.size - k], tiny)
        c = 0
        for j in range(n):
            if row[j] >= floor:
                cols[c] = j
                vals[c] = row[j]
                c += 1
        order = np.argsort(-vals[:c], kind="mergesort")  # best first; ties by column
        take = min(c, k)
        for q in range(take):
            out[i, q] = cols[order[q]]
        if take < k:  # fewer than k positive cosines: then the first columns not taken
            seen = np.zeros(n, np.bool_)
            for q in range(take):
                seen[out[i, q]] = True
            j = 0
            for q in range(take, k):
                while seen[j]:
                    j += 1
                out[i, q] = j
                j += 1


@njit(nogil=True, cache=True)
def relative_rows(sample, center, has_center, top, eps, middle, spread):  # type: ignore[no-untyped-def]
    rows, n = sample.shape
    buf = np.empty(n, np.float64)
    t = min(top, n)
    for i in range(rows):
        c = 0
        for j in range(n):
            v = sample[i, j]
            if not np.isnan(v):
                buf[c] = v
                c += 1
        vals = buf[:c]
        if has_center:
            mid = center[i]
        elif c == 0:
            mid = np.nan
        else:
            lo = (c - 1) // 2
            part = np.partition(vals.copy(), lo)
            low = part[lo]
            high = low if c % 2 == 1 else part[lo + 1 :].min()
            mid = (low + high) / 2
        k = min(t, c)
        best = 0.0
        if k > 0:
            ranked = np.sort(np.partition(vals.copy(), c - k)[c - k :])[::-1]  # the best k, best first
            for q in range(k):
                best += ranked[q]
        best = best / max(k, 1)
        if best - mid <= eps:
            best = vals.max() if c else -np.inf
        middle[i] = mid
        spread[i] = best - mid if best - mid > eps else 1.0
