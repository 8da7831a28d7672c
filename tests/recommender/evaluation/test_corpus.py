"""A benchmark's items as the product's PaperIndex: texts with bigrams, bags of words as unigrams."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.evaluation.corpus import benchmark_index, benchmark_texts, item_id
from recommender.evaluation.datasets import Benchmark
from tests.support.synthetic import taste_groups, topical_cold

pytestmark = pytest.mark.semantic  # also run in CI's venv with the semantic extra (.ci/run)


def test_bag_of_words_items_get_unigram_tfidf_over_whole_tokens() -> None:
    bench = taste_groups()
    words = sorted({w for text in bench.texts or [] for w in text.split()}) + ["60\u2009000"]
    counts = np.zeros((3, len(words)), dtype=np.float32)
    counts[0, [0, 1]] = [3, 1]
    counts[1, [1, len(words) - 1]] = [1, 2]
    counts[2, 0] = 1
    bag = Benchmark("bag", bench.train[:, :3], bench.test[:, :3], np.arange(3), True,
                    counts=sp.csr_matrix(counts), vocabulary=words)
    index = benchmark_index(bag)
    assert set(index.terms) == {words[0], words[1], "60_000"}  # no bigrams, the odd word kept whole
    assert np.allclose(np.asarray(index.matrix.multiply(index.matrix).sum(axis=1)).ravel(), 1.0, atol=1e-5)


def test_text_items_get_the_products_tfidf_row_by_item() -> None:
    bench = topical_cold()
    index = benchmark_index(bench)
    assert len(index) == bench.n_items and index.ids[:3].tolist() == [item_id(0), item_id(1), item_id(2)]
    assert index.row[item_id(7)] == 7 and any(" " in t for t in index.terms)  # bigrams, as for papers
    assert benchmark_texts(bench) is bench.texts


def test_items_without_text_or_words_are_refused() -> None:
    bench = topical_cold()
    empty = Benchmark("empty", bench.train, bench.test, bench.candidates, False)
    with pytest.raises(ValueError, match="neither texts nor a bag of words"):
        benchmark_texts(empty)
