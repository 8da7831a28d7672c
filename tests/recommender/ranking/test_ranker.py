"""rank, rank_many, diversify and explain: the picks a profile gets and why."""

from __future__ import annotations

import numpy as np

from recommender.evaluation.run import Fitted
from recommender.ranking.profile import ProfileInputs, build_vectors
from recommender.ranking.ranker import rank
from recommender.ranking.weights import LIKES_LABEL
from tests.support.ranking import PER_TOPIC, context, ids, topic_of


def test_likes_in_two_unrelated_areas_both_surface(fitted: Fitted) -> None:
    ctx = context(fitted)
    liked = [0, 1, 2, 3, 2 * PER_TOPIC, 2 * PER_TOPIC + 1, 2 * PER_TOPIC + 2, 2 * PER_TOPIC + 3]  # graphs, proteins
    vec = build_vectors(ctx, ProfileInputs(liked=ids(liked)))
    candidates = np.setdiff1d(np.arange(len(fitted.index)), liked)
    picks = rank(ctx, vec, candidates, limit=10)
    subjects = [topic_of(int(p.paper_id)) for p in picks]
    assert len(picks) == 10 and all(p.label == LIKES_LABEL for p in picks)
    assert set(subjects) == {0, 2}
    assert min(subjects.count(0), subjects.count(2)) >= 3


def test_cosines_of_a_big_corpus_in_two_halves_are_the_sparse_product() -> None:
    import scipy.sparse as sp

    from recommender.ranking import ranker

    matrix = sp.random(3000, 400, density=0.05, format="csr", dtype=np.float32, random_state=1)
    query = sp.random(1, 400, density=0.05, format="csr", dtype=np.float32, random_state=2)
    expected = (matrix @ query.T).toarray().ravel()
    assert np.array_equal(ranker.cosines(matrix, query), expected)
    old = ranker.PARALLEL_PAPERS
    try:
        ranker.PARALLEL_PAPERS = 1000
        assert np.array_equal(ranker.cosines(matrix, query), expected)
    finally:
        ranker.PARALLEL_PAPERS = old
