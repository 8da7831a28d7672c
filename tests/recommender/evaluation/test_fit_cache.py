"""The community fit kept on disk between topic-benchmark runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sp

from recommender.evaluation.corpus import benchmark_index
from recommender.evaluation.fit_cache import cached_fit
from recommender.evaluation.run import fit
from tests.support.synthetic import topical_cold


def test_a_cached_fit_is_the_fit_and_a_changed_input_refits(tmp_path: Path) -> None:
    bench = topical_cold()
    index = benchmark_index(bench)
    first = cached_fit(bench, index, tmp_path)
    assert "cached" not in first.seconds and len(list(tmp_path.glob("fit-*.npz"))) == 1
    again = cached_fit(bench, index, tmp_path)
    assert again.seconds == {"cached": 1.0}
    fresh = fit(bench, index=index)
    assert fresh.community is not None and again.community is not None and again.colikes is not None
    np.testing.assert_allclose(again.community.projection, fresh.community.projection, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(again.community.fold, fresh.community.fold, rtol=1e-5, atol=1e-6)
    assert again.community.members == fresh.community.members
    assert (again.colikes.normalized != fresh.colikes.normalized).nnz == 0
    # One like fewer: another key, fitted again.
    train = sp.lil_matrix(bench.train)
    user, item = np.argwhere(train.toarray())[0]
    train[user, item] = 0
    bench.train = sp.csr_matrix(train)
    assert "cached" not in cached_fit(bench, index, tmp_path).seconds
    assert len(list(tmp_path.glob("fit-*.npz"))) == 2


def test_a_damaged_cache_file_is_fitted_again(tmp_path: Path) -> None:
    bench = topical_cold()
    index = benchmark_index(bench)
    cached_fit(bench, index, tmp_path)
    (path,) = tmp_path.glob("fit-*.npz")
    path.write_bytes(b"not a zip")
    notes: list[str] = []
    fitted = cached_fit(bench, index, tmp_path, notes.append)
    assert "cached" not in fitted.seconds and fitted.community is not None and "unreadable" in notes[0]
