"""A benchmark's embeddings cached on disk under the model and every item's text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from recommender.evaluation.corpus import benchmark_texts
from recommender.evaluation.embeddings import benchmark_embeddings, cache_dir, texts_key
from recommender.ranking.semantic import DIM
from tests.support.semantic import needs_extra
from tests.support.synthetic import topical_cold

pytestmark = pytest.mark.semantic  # also run in CI's venv with the semantic extra (.ci/run)


def test_the_cache_lives_under_xdg_cache_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == tmp_path / "paperbot" / "eval"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_dir() == Path.home() / ".cache" / "paperbot" / "eval"


def test_the_key_changes_with_any_text() -> None:
    texts = ["graph neural networks", "speech recognition"]
    assert texts_key(texts) == texts_key(list(texts))
    assert texts_key(texts) != texts_key(["graph neural network", "speech recognition"])
    assert texts_key(["ab", "c"]) != texts_key(["a", "bc"])  # texts are separated, not just joined


def test_a_cached_file_of_the_right_shape_is_read_not_recomputed(tmp_path: Path) -> None:
    bench = topical_cold(per_topic=12)
    texts = benchmark_texts(bench)
    cached = np.random.default_rng(0).normal(size=(len(texts), DIM)).astype(np.float32)
    np.save(tmp_path / f"{bench.name.replace('/', '-')}-{texts_key(texts)}.npy", cached)  # the name it is looked up by
    vectors, from_cache = benchmark_embeddings(bench, cache=tmp_path)
    assert from_cache and vectors.dtype == np.float32
    np.testing.assert_array_equal(vectors, cached)


@needs_extra
def test_without_a_cache_the_real_model_embeds_and_the_next_call_reads_the_file(tmp_path: Path) -> None:
    bench = topical_cold(per_topic=12)
    vectors, from_cache = benchmark_embeddings(bench, cache=tmp_path)
    assert not from_cache and vectors.shape == (bench.n_items, DIM)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    again, from_cache = benchmark_embeddings(bench, cache=tmp_path)
    assert from_cache and np.array_equal(again, vectors) and len(list(tmp_path.glob("*.npy"))) == 1
