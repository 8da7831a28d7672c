"""The five-paper start's measurement on tiny synthetic data (the real run: `paperbot eval onboarding`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from recommender.evaluation import onboarding
from recommender.evaluation.datasets import load_citeulike_a_tags
from recommender.evaluation.onboarding import REFERENCE, STRATEGIES, run_onboarding
from tests.support.synthetic import topical_cold, write_topic_benchmarks


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_topic_benchmarks(tmp_path_factory.mktemp("onboarding") / "data")


def test_every_strategy_is_measured_on_the_same_members(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bench = topical_cold()
    tags = load_citeulike_a_tags(data / "citeulike-a", bench.n_items)
    monkeypatch.setattr(onboarding, "MIN_ITEMS", 8)  # the synthetic members have 11 items each
    monkeypatch.setattr(onboarding, "MIN_COVERED", 3)
    result = run_onboarding(bench, bench.train + bench.test, tags, members=6)
    assert result.members == 6 and set(result.figures) == {REFERENCE, *STRATEGIES}
    assert result.figures[REFERENCE]["likes of 5"] == 0
    for name in STRATEGIES:
        assert 0 < result.figures[name]["likes of 5"] <= 5
        assert 0 <= result.figures[name]["recall@100"] <= 1
    assert set(result.wins) == {"top five", "random", REFERENCE}
    assert result.as_dict()["settings"]["members"] == 6


def test_no_member_fits(data: Path) -> None:
    bench = topical_cold()
    with pytest.raises(ValueError, match="no member"):
        run_onboarding(bench, bench.train, load_citeulike_a_tags(data / "citeulike-a", bench.n_items), members=5)
