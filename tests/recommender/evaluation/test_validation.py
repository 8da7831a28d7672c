"""Validation splits carved from train likes only: item cold start and per-user hold-out."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.evaluation.validation import (
    COLD_SHARE,
    cold_validation,
    holdout_validation,
    validation_split,
)
from tests.support.synthetic import taste_groups, topical_cold

pytestmark = pytest.mark.semantic  # also run in CI's venv with the semantic extra (.ci/run)


def test_validation_splits_only_use_train_likes() -> None:
    bench = topical_cold()
    cold = cold_validation(bench)
    assert cold.train.multiply(cold.test).nnz == 0
    assert (cold.train + cold.test - bench.train).nnz == 0 or abs(cold.train + cold.test - bench.train).sum() == 0
    assert cold.train[:, cold.candidates].nnz == 0  # held-out items are new: no likes in train
    assert not set(cold.candidates.tolist()) & set(bench.candidates.tolist())
    warm = holdout_validation(taste_groups())
    assert warm.exclude_train
    per_user = np.diff(warm.test.indptr)
    assert set(per_user.tolist()) == {2}
    assert abs(warm.train + warm.test - taste_groups().train).sum() == 0


def test_the_split_follows_the_benchmarks_protocol_and_the_seed() -> None:
    cold_bench, warm_bench = topical_cold(), taste_groups()
    assert not cold_bench.exclude_train and warm_bench.exclude_train
    assert validation_split(cold_bench).candidates.tolist() == cold_validation(cold_bench).candidates.tolist()
    assert validation_split(warm_bench).exclude_train
    assert cold_validation(cold_bench, seed=1).candidates.tolist() != cold_validation(cold_bench).candidates.tolist()
    assert cold_validation(cold_bench).candidates.size == round(COLD_SHARE * cold_bench.train_items.size)
    assert "validation" in validation_split(cold_bench).name
