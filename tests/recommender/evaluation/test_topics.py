"""The topic benchmark on tiny synthetic data, and its metrics on hand-made cases with
known answers (the `paperbot eval topics` command: tests/bot/cli/test_eval_topics.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.evaluation.corpus import benchmark_index
from recommender.evaluation.datasets import load_citeulike_a_tags, load_citeulike_t_tags
from recommender.evaluation.metrics import hits_of, ndcg_at, precision_at
from recommender.evaluation.topics import figures, run_topics, tag_text, topic_tags
from tests.support.synthetic import (
    USABLE_TAGS,
    topical_cold,
    write_topic_benchmarks,
)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_topic_benchmarks(tmp_path_factory.mktemp("topics") / "data")


def test_ndcg_precision_and_hits_on_a_hand_made_case() -> None:
    truth = sp.csr_matrix(np.array([[1, 0, 1, 0, 0], [0, 0, 0, 0, 1]], dtype=np.float32))
    ranked = [np.array([2, 1, 0]), np.array([4])]  # the second list is short
    hits = hits_of(ranked, truth, 3)
    assert hits.tolist() == [[True, False, True], [True, False, False]]
    assert precision_at(hits, 2).tolist() == [0.5, 0.5]
    ndcg = ndcg_at(hits, np.array([2, 1]), 3)
    # Query 0: DCG 1 + 1/log2(4) = 1.5 against the ideal 1 + 1/log2(3).
    assert ndcg[0] == pytest.approx(1.5 / (1 + 1 / np.log2(3)))
    assert ndcg[1] == pytest.approx(1.0)
    assert figures(ranked, truth)["recall@100"] == pytest.approx(1.0)


def test_tags_become_topics_only_when_usable(data: Path) -> None:
    bench = topical_cold()
    index = benchmark_index(bench)
    for tags in (load_citeulike_a_tags(data / "citeulike-a", bench.n_items),
                 load_citeulike_t_tags(data / "citeulike-t", bench.n_items)):
        assert tags.items.shape == (6, bench.n_items)
        chosen = topic_tags(index, tags)
        # "zebrafish" is in no title, "galaxy" is on 10 items, "Graph" repeats "graph".
        assert [tag_text(tags.tags[t]).lower() for t in chosen] == USABLE_TAGS
    assert tag_text("gene-expression") == "gene expression"


def test_the_product_ranking_finds_what_the_topic_words_alone_miss(data: Path, tmp_path: Path) -> None:
    bench = topical_cold()
    tags = load_citeulike_a_tags(data / "citeulike-a", bench.n_items)
    result = run_topics(bench, tags, min_score=0.0, diversity=0.0, cache=tmp_path)
    assert result.topics == 3
    # Half of a topic's titles hold the tag's word; the expanded topic finds the other half too.
    assert result.baseline["recall@100"] < 0.8 < result.figures["recall@100"]
    assert result.figures == result.uncut  # no threshold: the same ranking
    assert 0 < result.baseline["ndcg@10"] <= 1 and 0 < result.figures["ndcg@10"] <= 1
