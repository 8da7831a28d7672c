"""Validation splits carved from a benchmark's train likes, for choosing settings.

Settings (the default weights) are chosen on these, never on the test likes: the
returned benchmark's `test` holds only likes taken out of `train`, and the real
test likes are dropped.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from recommender.evaluation.datasets import Benchmark

COLD_SHARE = 0.25  # share of the warm items held out as "new" items
HOLD_PER_USER = 2  # train items held out per user with at least MIN_PROFILE + HOLD_PER_USER
MIN_PROFILE = 8


def _binary(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    return sp.csr_matrix((np.ones(rows.size, dtype=np.float32), (rows, cols)), shape=shape)


def cold_validation(bench: Benchmark, share: float = COLD_SHARE, seed: int = 0) -> Benchmark:
    """Item cold start inside train: a random share of the warm items lose all their likes
    and become the candidates. The real test items stay in the corpus (their text is
    known) but are neither ranked nor liked."""
    rng = np.random.default_rng(seed)
    warm = bench.train_items
    held = np.sort(rng.choice(warm, int(round(share * warm.size)), replace=False))
    is_held = np.zeros(bench.n_items, dtype=bool)
    is_held[held] = True
    pairs = bench.train.tocoo()
    out = is_held[pairs.col]
    shape = bench.train.shape
    return Benchmark(
        f"{bench.name}:validation", _binary(pairs.row[~out], pairs.col[~out], shape),
        _binary(pairs.row[out], pairs.col[out], shape), held, False,
        texts=bench.texts, counts=bench.counts, vocabulary=bench.vocabulary,
        notes={**bench.notes, "split": f"validation: {share:.0%} of the warm items held out (seed {seed})"},
    )


def holdout_validation(bench: Benchmark, hold: int = HOLD_PER_USER, seed: int = 0) -> Benchmark:
    """Per-user hold-out inside train: users with at least `MIN_PROFILE + hold` train items
    lose `hold` of them, which become that user's test items."""
    rng = np.random.default_rng(seed)
    train = bench.train.tocsr()
    keep_r, keep_c, test_r, test_c = [], [], [], []
    for user in range(train.shape[0]):
        items = train.indices[train.indptr[user] : train.indptr[user + 1]]
        held = rng.choice(items, hold, replace=False) if items.size >= MIN_PROFILE + hold else items[:0]
        kept = np.setdiff1d(items, held)
        keep_r.append(np.full(kept.size, user))
        keep_c.append(kept)
        test_r.append(np.full(held.size, user))
        test_c.append(held)
    shape = bench.train.shape
    return Benchmark(
        f"{bench.name}:validation", _binary(np.concatenate(keep_r), np.concatenate(keep_c), shape),
        _binary(np.concatenate(test_r), np.concatenate(test_c), shape), bench.candidates, True,
        texts=bench.texts, counts=bench.counts, vocabulary=bench.vocabulary,
        notes={**bench.notes, "split": f"validation: {hold} train items held out per user (seed {seed})"},
    )


def validation_split(bench: Benchmark, seed: int = 0) -> Benchmark:
    """The validation split that mimics the benchmark's own protocol."""
    return holdout_validation(bench, seed=seed) if bench.exclude_train else cold_validation(bench, seed=seed)
