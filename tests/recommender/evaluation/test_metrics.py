"""Ranking metrics on hand-made cases whose answers are worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.evaluation.datasets import Benchmark
from recommender.evaluation.metrics import evaluate, recall_at, top_m

pytestmark = pytest.mark.semantic  # also run in CI's venv with the semantic extra (.ci/run)


def binary(rows: list[list[int]], n_cols: int) -> sp.csr_matrix:
    dense = np.zeros((len(rows), n_cols), dtype=np.float32)
    for i, cols in enumerate(rows):
        dense[i, cols] = 1
    return sp.csr_matrix(dense)


def test_top_m_is_best_first_and_breaks_ties_by_column() -> None:
    scores = np.array([[0.1, 0.9, 0.5, 0.9, 0.0], [3.0, 1.0, 2.0, 0.0, 4.0]])
    assert top_m(scores, 3).tolist() == [[1, 3, 2], [4, 0, 2]]
    assert top_m(scores, 10).tolist() == [[1, 3, 2, 0, 4], [4, 0, 2, 1, 3]]  # m beyond the width: everything


def test_recall_counts_hits_in_the_top_m_over_relevant_items() -> None:
    ranked = np.array([[3, 1, 0, 2], [0, 1, 2, 3]])
    truth = binary([[1, 2], [3]], 4)
    # user 0: item 1 at rank 2, item 2 at rank 4; user 1: item 3 at rank 4
    assert recall_at(ranked, truth, [1, 2, 3, 4]).tolist() == [[0.0, 0.5, 0.5, 1.0], [0.0, 0.0, 0.0, 1.0]]


def test_recall_is_nan_for_a_user_without_relevant_items() -> None:
    out = recall_at(np.array([[0, 1]]), binary([[]], 2), [1])
    assert np.isnan(out[0, 0])


def make_bench(exclude_train: bool) -> Benchmark:
    # 3 users, 5 items; user 2 has no test item and is not evaluated.
    train = binary([[0], [4], [1]], 5)
    test = binary([[1, 2], [3], []], 5)
    return Benchmark("toy", train, test, np.arange(5), exclude_train)


def fixed_scores(users: np.ndarray) -> np.ndarray:
    table = np.array([
        [9.0, 8.0, 1.0, 7.0, 6.0],  # ranking 0, 1, 3, 4, 2
        [1.0, 2.0, 3.0, 4.0, 5.0],  # ranking 4, 3, 2, 1, 0
        [5.0, 4.0, 3.0, 2.0, 1.0],
    ])
    return table[users]


def test_evaluate_averages_over_users_with_test_items() -> None:
    result = evaluate(fixed_scores, make_bench(exclude_train=False), cutoffs=(1, 2, 5))
    assert result.n_users == 2
    # user 0: hits at ranks 2 and 5 -> 0, .5, 1; user 1: hit at rank 2 -> 0, 1, 1
    assert result.recall == {1: 0.0, 2: pytest.approx(0.75), 5: 1.0}
    assert result.per_user.shape == (2, 3)


def test_evaluate_removes_a_users_own_train_items_when_the_protocol_says_so() -> None:
    result = evaluate(fixed_scores, make_bench(exclude_train=True), cutoffs=(1, 2))
    # user 0 loses item 0 -> ranking 1, 3, 4, 2: 1/2 at both cutoffs;
    # user 1 loses item 4 -> ranking 3, 2, 1, 0: 1 at both (without exclusion both score 0 at 1)
    assert result.recall == {1: pytest.approx(0.75), 2: pytest.approx(0.75)}


def test_evaluate_rejects_scores_of_the_wrong_shape() -> None:
    with pytest.raises(ValueError, match="shape"):
        evaluate(lambda users: np.zeros((users.size, 4)), make_bench(False), cutoffs=(1,))
