"""The five-paper start's choice: one paper per sub-area of the profile's best candidates."""

from __future__ import annotations

import numpy as np

from recommender.evaluation.run import Fitted
from recommender.ranking.profile import ProfileInputs, ProfileVectors, build_vectors
from recommender.ranking.starter import FIVE, POOL, at_random, choose, pool, spread, top
from tests.support.ranking import PER_TOPIC, context, ids, topic_of


def test_spread_covers_the_sub_areas_the_top_five_miss(fitted: Fitted) -> None:
    ctx = context(fitted)
    liked = [0, 1, 2, 3, 4, 5, PER_TOPIC]  # mostly graphs, one speech paper
    vec = build_vectors(ctx, ProfileInputs(liked=ids(liked)))
    candidates = np.setdiff1d(np.arange(len(fitted.index)), liked)
    rows, scores = pool(ctx, vec, candidates)
    assert rows.size == POOL and np.all(np.diff(scores) <= 0) and not set(rows) & set(liked)
    best = top(rows)
    spread_out = spread(ctx, rows, scores)
    assert len(set(spread_out.tolist())) == FIVE and set(spread_out) <= set(rows)
    assert len({topic_of(int(r)) for r in best}) == 1, "the five most similar ask one question five times"
    assert len({topic_of(int(r)) for r in spread_out}) >= 2
    assert spread_out[0] == rows[0], "the best candidate leads its sub-area"
    assert np.array_equal(choose(ctx, vec, candidates), spread_out)


def test_small_pools_and_empty_profiles(fitted: Fitted) -> None:
    ctx = context(fitted)
    rows = np.array([3, 7, 9])
    assert np.array_equal(spread(ctx, rows, np.array([0.9, 0.5, 0.1])), rows)
    assert pool(ctx, ProfileVectors(), np.arange(10))[0].size == 0
    picked = at_random(np.arange(40), seed=1)
    assert len(set(picked.tolist())) == FIVE and np.array_equal(picked, at_random(np.arange(40), seed=1))
