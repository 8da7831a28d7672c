"""A benchmark's items as the product's `PaperIndex` (the index the bot scores against)."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from recommender.evaluation.datasets import Benchmark, bag_of_words_texts
from recommender.ranking.index import PaperIndex, make_vectorizer

# A bag-of-words document is its words repeated by count: whitespace-separated tokens,
# in no meaningful order, so only unigrams make sense.
BAG_OF_WORDS = {"ngram_range": (1, 1), "token_pattern": r"\S+"}


def item_id(item: int) -> str:
    """The paper id of benchmark item `item` (index rows follow item order)."""
    return str(item)


def benchmark_vectorizer(bench: Benchmark) -> TfidfVectorizer:
    """The product's TF-IDF (`make_vectorizer`), unigrams over whole tokens for bags of words."""
    vectorizer = make_vectorizer(bench.n_items)
    if bench.texts is None:
        vectorizer.set_params(**BAG_OF_WORDS)
    return vectorizer


def benchmark_texts(bench: Benchmark) -> list[str]:
    if bench.texts is not None:
        return bench.texts
    if bench.counts is None or bench.vocabulary is None:
        raise ValueError(f"{bench.name}: items have neither texts nor a bag of words")
    return bag_of_words_texts(bench.counts, bench.vocabulary)


def benchmark_index(bench: Benchmark) -> PaperIndex:
    """Fit the product's TF-IDF on every item's text, exactly as `fit_index` does for papers.

    The text of every item is known (new papers' text is known at ingest time);
    row i holds item i.
    """
    texts = benchmark_texts(bench)
    vectorizer = benchmark_vectorizer(bench)
    matrix = normalize(vectorizer.fit_transform(texts)).astype(np.float32).tocsr()
    ids = np.array([item_id(i) for i in range(len(texts))], dtype=object)
    published = np.full(len(texts), np.datetime64("NaT"), dtype="datetime64[D]")
    return PaperIndex(vectorizer, matrix, ids, published, (len(texts), bench.name), len(texts), bench.name)
