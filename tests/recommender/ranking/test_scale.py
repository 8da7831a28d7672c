"""Score scales: standard scores, and the relative scale (median 0, the closest papers at 1)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from recommender.ranking.scale import TOP, Scale


def top_mean(sample: np.ndarray) -> float:
    return float(np.sort(sample)[-TOP:].mean())


def test_relative_maps_the_median_to_0_and_the_mean_of_the_closest_papers_to_1() -> None:
    sample = np.random.default_rng(0).gamma(2.0, size=10_000)
    scale = Scale.relative(sample)
    np.testing.assert_allclose(scale.apply(np.array([np.median(sample), top_mean(sample)])), [0.0, 1.0], atol=1e-9)
    assert 1 <= np.sum(scale.apply(sample) > 1.0) < TOP  # only some of the closest papers score above 1


def test_relative_with_a_center_puts_that_value_at_0() -> None:
    sample = np.linspace(0.0, 1.0, 1001)
    scale = Scale.relative(sample, center=0.2)
    np.testing.assert_allclose(scale.apply(np.array([0.2, top_mean(sample)])), [0.0, 1.0])


def test_a_flat_top_falls_back_to_the_maximum_and_a_constant_sample_to_unit_width() -> None:
    mostly_zero = np.zeros(1000)
    mostly_zero[-2:] = [0.5, 1.0]
    assert Scale.relative(mostly_zero).apply(np.array([top_mean(mostly_zero)]))[0] == 1.0
    tiny = np.array([0.0, 0.0, 0.4])  # fewer papers than TOP: their mean is the top
    np.testing.assert_allclose(Scale.relative(tiny).apply(np.array([tiny.mean()])), [1.0])
    constant = Scale.relative(np.full(50, 3.0))
    assert (constant.mean, constant.std) == (3.0, 1.0)
    assert (Scale.relative(np.zeros(0)).mean, Scale.relative(np.zeros(0)).std) == (0.0, 1.0)


def test_standard_scores_and_an_unusable_scale() -> None:
    scale = Scale.of(np.array([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_allclose(scale.apply(np.array([2.5])), [0.0])
    assert scale.usable
    assert not Scale.of(np.full(10, 7.0)).usable and not Scale.of(np.zeros(0)).usable


@given(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=2, max_size=200))
def test_standard_scores_have_mean_0_and_std_1(values: list[float]) -> None:
    sample = np.array(values)
    scale = Scale.of(sample)
    if not scale.usable:
        assert np.ptp(sample) < 1e-3
        return
    z = scale.apply(sample)
    assert abs(z.mean()) < 1e-6 and abs(z.std() - 1.0) < 1e-6


@given(st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=1, max_size=300))
def test_relative_keeps_the_order_and_puts_the_median_at_0(values: list[float]) -> None:
    sample = np.array(values)
    scale = Scale.relative(sample)
    assert scale.std > 0
    scored = scale.apply(sample)
    assert np.all(np.diff(scored[np.argsort(sample, kind="stable")]) >= -1e-12)
    assert abs(scale.apply(np.array([np.median(sample)]))[0]) < 1e-9


def test_relative_rows_is_relative_of_each_row_without_its_nans() -> None:
    from recommender.ranking.scale import relative_rows

    rng = np.random.default_rng(7)
    sample = rng.normal(size=(40, 101))
    sample[3, :5] = np.nan  # a member's own papers are left out: rows of different sizes
    sample[4, ::2] = np.nan
    sample[5, 1:] = np.nan
    sample[6] = 0.25  # flat
    middle, spread = relative_rows(sample)
    for r in range(40):
        want = Scale.relative(sample[r][~np.isnan(sample[r])])
        assert middle[r] == want.mean and abs(spread[r] - want.std) <= 1e-12
