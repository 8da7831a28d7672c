"""The five-paper start's measurement on tiny synthetic data (the real run: `paperbot eval onboarding`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from recommender.evaluation import onboarding
from recommender.evaluation.datasets import load_citeulike_a_tags
from recommender.evaluation.onboarding import HITS, RATERS, REFERENCE, STRATEGIES, members_and_topics, rate, run_onboarding
from tests.support.synthetic import topical_cold, write_topic_benchmarks


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_topic_benchmarks(tmp_path_factory.mktemp("onboarding") / "data")


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(onboarding, "MIN_ITEMS", 8)  # the synthetic members have 11 items each
    monkeypatch.setattr(onboarding, "MIN_COVERED", 3)


def test_every_way_is_measured_on_the_same_members_in_every_setting(data: Path, small: None) -> None:
    bench = topical_cold()
    tags = load_citeulike_a_tags(data / "citeulike-a", bench.n_items)
    result = run_onboarding(bench, bench.train + bench.test, tags, members=6)
    assert result.members == 6 and {(r.hits, r.rater) for r in result.runs} == {(h, r) for h in HITS for r in RATERS}
    for run in result.runs:
        assert set(run.figures) == {REFERENCE, *STRATEGIES}
        assert run.figures[REFERENCE]["likes of 5"] == 0
        for name in STRATEGIES:
            assert 0 < run.figures[name]["likes of 5"] <= 5
            assert 0 <= run.figures[name]["recall@100"] <= 1
        assert set(run.wins) == set(run.ties) == {"top five", "random", REFERENCE}
        assert all(run.wins[k] + run.ties[k] <= 1 for k in run.wins) and set(run.gain) == set(run.wins)
        assert all(se >= 0 for _, se in run.gain.values())
    # The reference (no ratings) does not depend on the rater: one ranking, judged on the same hits.
    for hits in HITS:
        assert result.run(hits, RATERS[0]).figures[REFERENCE] == result.run(hits, RATERS[1]).figures[REFERENCE]
    assert result.as_dict()["settings"]["members"] == 6 and result.index_seconds <= result.seconds


def test_members_split_into_two_fixed_halves(data: Path, small: None) -> None:
    bench = topical_cold()
    tags = load_citeulike_a_tags(data / "citeulike-a", bench.n_items)
    library = (bench.train + bench.test).tocsr()
    usable = list(range(len(tags.tags)))
    every = {u for u, _ in members_and_topics(library, tags, usable, 1000, 0)}
    validation = {u for u, _ in members_and_topics(library, tags, usable, 1000, 0, "validation")}
    test = {u for u, _ in members_and_topics(library, tags, usable, 1000, 0, "test")}
    assert validation and test and validation | test == every and not validation & test
    assert all(u % 2 == 0 for u in validation)
    assert run_onboarding(bench, library, tags, members=3, half="test").members == 3
    with pytest.raises(ValueError, match="half must be one of"):
        members_and_topics(library, tags, usable, 10, 0, "train")


def test_paired_difference_and_its_standard_error() -> None:
    mean, se = onboarding._paired(np.array([0.5, 0.2, 0.0, 0.1]), np.array([0.1, 0.2, 0.1, 0.1]))
    assert mean == pytest.approx(0.075) and se == pytest.approx(np.std([0.4, 0, -0.1, 0], ddof=1) / 2)


def test_the_simulated_member_likes_their_own_papers() -> None:
    five = np.array([3, 7, 9, 11, 12])
    assert rate(five, {7, 12, 40}, dismiss=True) == (["7", "12"], ["3", "9", "11"])
    assert rate(five, {7, 12, 40}, dismiss=False) == (["7", "12"], [])


def test_no_member_fits(data: Path) -> None:
    bench = topical_cold()
    with pytest.raises(ValueError, match="no member"):
        run_onboarding(bench, bench.train, load_citeulike_a_tags(data / "citeulike-a", bench.n_items), members=5)
