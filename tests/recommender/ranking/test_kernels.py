"""The compiled loops against SciPy and NumPy, and the property scoring relies on: a row's
floats do not depend on the other rows or columns computed with it."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.ranking.kernels import add_mix, add_product, rows_max, subtract_positive, weigh_and_shortlist


def _sparse(seed: int, rows: int, cols: int, density: float) -> sp.csr_matrix:
    return sp.random(rows, cols, density=density, format="csr", dtype=np.float32, random_state=seed)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), rows=st.integers(0, 30), terms=st.integers(1, 60), cols=st.integers(1, 40),
       density=st.floats(0.0, 0.5))
def test_a_sparse_product_into_a_dense_array_is_scipys(seed: int, rows: int, terms: int, cols: int, density: float) -> None:
    x, right = _sparse(seed, rows, terms, density), _sparse(seed + 1, terms, cols, density)
    start = np.random.default_rng(seed).normal(size=(rows, cols)).astype(np.float32)
    got = add_product(x, right, start.copy())
    np.testing.assert_allclose(got, start + (x @ right).toarray(), rtol=1e-5, atol=1e-6)


def test_a_rows_floats_do_not_depend_on_the_rows_and_columns_beside_it() -> None:
    x, right = _sparse(1, 200, 500, 0.05), _sparse(2, 500, 300, 0.05)
    whole = add_product(x, right, np.zeros((200, 300), np.float32))
    rows, cols = np.array([3, 77, 150]), np.array([0, 5, 299, 120])
    part = add_product(x[rows], right[:, cols].tocsr(), np.zeros((3, 4), np.float32))
    np.testing.assert_array_equal(part, whole[np.ix_(rows, cols)])


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), rows=st.integers(0, 20), k=st.integers(1, 50), cols=st.integers(1, 70))
def test_a_mix_of_dense_rows_is_scipys_to_the_bit(seed: int, rows: int, k: int, cols: int) -> None:
    mix = _sparse(seed, rows, k, 0.2)
    dense = np.random.default_rng(seed).normal(size=(k, cols)).astype(np.float32)
    got = add_mix(mix, dense, np.zeros((rows, cols), np.float32))
    np.testing.assert_array_equal(got, np.asarray(mix @ dense, dtype=np.float32))


def test_shapes_that_do_not_fit_are_refused() -> None:
    with pytest.raises(ValueError):
        add_product(_sparse(0, 3, 4, 0.5), _sparse(0, 5, 2, 0.5), np.zeros((3, 2), np.float32))
    with pytest.raises(ValueError):
        add_mix(_sparse(0, 3, 4, 0.5), np.zeros((4, 2), np.float32), np.zeros((2, 2), np.float32))


def test_rows_max_is_numpys_maximum_and_marks_the_first_best_source() -> None:
    rng = np.random.default_rng(3)
    out = rng.normal(size=(6, 50)).astype(np.float32)
    out[2] = -np.inf  # a member without likes: the topics alone
    source = rng.normal(size=(4, 50)).astype(np.float32)
    source[3] = source[1]  # member 0's topics 1 and 2 tie: the first wins
    owners, ids, marks = np.array([0, 0, 0, 2, 5, 2]), np.array([1, 3, 0, 0, 0, 2]), np.array([1, 2, 3, 1, 1, 2])
    scale = rng.uniform(0.5, 2.0, 6).astype(np.float32)
    scale[1] = scale[0]
    want, want_which = out.copy(), np.zeros(out.shape, np.int8)
    stacked: dict[int, list[np.ndarray]] = {}
    for o, i, s in zip(owners, ids, scale):
        stacked.setdefault(int(o), []).append(source[i] / s)
    for o, rels in stacked.items():
        rels_arr = np.vstack(rels)
        top, arg = rels_arr.max(axis=0), rels_arr.argmax(axis=0)  # argmax: the first of equal maxima
        mark = marks[owners == o][arg]
        want_which[o] = np.where(top > want[o], mark, 0)
        want[o] = np.maximum(top, want[o])
    which = np.zeros(out.shape, np.int8)
    rows_max(out, owners, source, ids, scale, which, marks)
    np.testing.assert_array_equal(out, want)
    np.testing.assert_array_equal(which, want_which)


def test_a_dismissed_papers_pull_is_numpys() -> None:
    rng = np.random.default_rng(5)
    out = rng.normal(size=(5, 40)).astype(np.float32)
    out[4, :3] = -np.inf
    raw = rng.normal(0.1, 0.2, (2, 40)).astype(np.float32)
    rows, scale = np.array([1, 4]), np.array([0.7, 1.3], np.float32)
    want = out.copy()
    want[rows] -= 0.5 * np.clip(raw / scale[:, None], 0, None)
    subtract_positive(out, rows, raw, scale, 0.5)
    np.testing.assert_array_equal(out, want)


def test_the_shortlist_weighs_in_place_and_keeps_the_columns_above_the_floor_in_order() -> None:
    rng = np.random.default_rng(4)
    scores = rng.normal(0.2, 0.3, (50, 80)).astype(np.float32)
    scores[7] = np.float32(0.3)  # exactly at the floor, as float32: not above
    weight = rng.uniform(0.4, 1.0, 80).astype(np.float32)
    weight[:3] = 1.0
    want = scores * weight
    short, values, counts = weigh_and_shortlist(scores, weight, 0.3, 10)
    np.testing.assert_array_equal(scores, want)
    above = want > 0.3
    np.testing.assert_array_equal(counts, above.sum(axis=1))
    assert counts[7] == 0 and (values[7] == -np.inf).all()
    for r in range(50):
        cols = np.flatnonzero(above[r])[:10]
        np.testing.assert_array_equal(short[r, : cols.size], cols)
        np.testing.assert_array_equal(values[r, : cols.size], want[r, cols])
        assert (values[r, cols.size :] == -np.inf).all()


def test_best_columns_are_the_k_largest_best_first_and_pad_short_rows() -> None:
    from recommender.ranking.kernels import best_columns

    rng = np.random.default_rng(6)
    sims = rng.uniform(0, 1, (20, 4000)).astype(np.float32)
    sims[rng.uniform(size=sims.shape) < 0.5] = 0.0
    sims[3] = 0.0
    sims[3, [10, 500, 7]] = [0.2, 0.9, 0.2]  # three positive cosines, two tied
    got = best_columns(sims, 25, 16)
    for r in range(20):
        if r == 3:
            continue
        want = np.argsort(-sims[r], kind="stable")[:25]
        np.testing.assert_array_equal(got[r], want)
    np.testing.assert_array_equal(got[3][:3], [500, 7, 10])
    np.testing.assert_array_equal(got[3][3:], [c for c in range(30) if c not in (7, 10)][:22])
