"""The benchmark runner end to end on tiny synthetic data, through the product's code."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.evaluation.datasets import Benchmark
from recommender.evaluation.run import (
    BASELINES,
    Method,
    fit,
    paperbot,
    profile_inputs,
    run_benchmark,
)
from recommender.ranking.weights import WEIGHTS
from tests.support.synthetic import taste_groups, topical_cold

pytestmark = pytest.mark.semantic  # also run in CI's venv with the semantic extra (.ci/run)

CUTOFFS = (5, 10, 30)


def test_cold_start_text_finds_the_users_new_items() -> None:
    bench = topical_cold()
    report = run_benchmark(bench, [paperbot(), *BASELINES], CUTOFFS)
    ours, random, centroid = (report.result(n) for n in ("paperbot", "random", "tfidf-centroid"))
    assert report.users == 40 and report.candidates == 40
    # Only 10 of the 40 new items are on the user's topic, and 3 of them are the user's.
    assert ours.recall[10] > 0.9 and centroid.recall[10] > 0.9
    assert random.recall[10] < 0.5
    assert ours.score_ms_per_user > 0 and ours.build_ms_per_user > 0
    assert report.settings["community_rank"] >= 1  # the community model was fitted and used
    assert ours.method.weights == WEIGHTS


def test_likes_carry_the_signal_when_the_text_does_not() -> None:
    bench = taste_groups()
    report = run_benchmark(bench, [paperbot(), *BASELINES, Method("co-likes", {"colike": 1.0})], CUTOFFS)
    ours, random, centroid = (report.result(n) for n in ("paperbot", "random", "tfidf-centroid"))
    # A user's group reads 40 items, 10 of which are already theirs (and excluded).
    assert report.result("co-likes").recall[30] > 0.9
    assert abs(centroid.recall[30] - random.recall[30]) < 0.15  # the text is noise
    assert ours.recall[30] > centroid.recall[30] + 0.15  # co-likes and popularity are in the blend


def test_a_users_own_train_items_are_never_ranked_when_excluded() -> None:
    bench = taste_groups()
    colikes = [Method("co-likes", {"colike": 1.0})]
    masked = run_benchmark(bench, colikes, (10, 30)).results[0]
    unmasked = Benchmark(bench.name, bench.train, bench.test, bench.candidates, False, texts=bench.texts)
    # Without the exclusion a user's own 10 liked items fill their top 10; with it,
    # the top 30 are the rest of their group's 40 items.
    assert run_benchmark(unmasked, colikes, (10,)).results[0].recall[10] == 0.0
    assert masked.recall[10] > 0.0 and masked.recall[30] > 0.9


def test_profiles_are_the_users_train_items_through_the_product_index() -> None:
    bench = topical_cold()
    fitted = fit(bench)
    assert fitted.community is not None and fitted.colikes is not None
    assert fitted.likes.shape == (bench.n_items, bench.n_users)
    inputs = profile_inputs(bench, 3)
    assert sorted(fitted.index.row[i] for i in inputs.liked if i in fitted.index.row) == sorted(bench.train[3].indices.tolist())


def test_a_sampled_community_keeps_only_its_members_train_likes() -> None:
    from recommender.evaluation.run import sample_community

    bench = topical_cold()
    small = sample_community(bench, 5, seed=1)
    members = small.eval_users
    assert members.size == 5
    assert set(np.flatnonzero(np.diff(small.train.indptr))) == set(members.tolist())
    for u in members:  # their own likes are untouched
        assert (small.train[u] != bench.train[u]).nnz == 0 and (small.test[u] != bench.test[u]).nnz == 0
    fitted = fit(small)
    assert fitted.community is not None and fitted.community.members == 5
    assert fitted.colikes is not None and fitted.colikes.members == 5
    assert sample_community(bench, 1000) is bench  # more than there are: the whole benchmark


def test_community_figures_are_the_mean_over_draws() -> None:
    from recommender.evaluation.run import run_community, sample_community

    bench = topical_cold()
    methods = [paperbot(), *BASELINES]
    report = run_community(bench, methods, 5, CUTOFFS, draws=2)
    assert report.users == 10 and report.settings["community"] == 5
    single = [run_benchmark(sample_community(bench, 5, seed), methods, CUTOFFS) for seed in (0, 1)]
    for m in CUTOFFS:
        expected = np.mean([r.result("paperbot").recall[m] for r in single])
        assert report.result("paperbot").recall[m] == pytest.approx(expected)
