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


def test_cosines_from_the_query_columns_are_the_sparse_product_bitwise() -> None:
    import scipy.sparse as sp

    from recommender.ranking.index import PaperIndex, id_array

    matrix = sp.random(3000, 400, density=0.05, format="csr", dtype=np.float32, random_state=1)
    matrix.sort_indices()
    index = PaperIndex(object(), matrix, id_array([str(i) for i in range(3000)]),  # type: ignore[arg-type]
                       np.full(3000, np.datetime64("NaT"), dtype="datetime64[D]"), (3000, ""), 3000,
                       terms=np.array([f"t{i}" for i in range(400)], dtype=object))
    for seed in (2, 3):
        query = sp.random(1, 400, density=0.05, format="csr", dtype=np.float32, random_state=seed)
        expected = matrix @ query.toarray().ravel()  # the product over every row, as before
        assert np.array_equal(index.cosines(query), expected)
    assert not index.cosines(sp.csr_matrix((1, 400), dtype=np.float32)).any()
