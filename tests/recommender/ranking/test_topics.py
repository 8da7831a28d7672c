"""A topic's vectors: Rocchio expansion, and the community parts of its best papers that
re-order what its words match (the topic benchmark: tests/recommender/evaluation/test_topics.py)."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.evaluation.datasets import Benchmark
from recommender.evaluation.run import Fitted, fit
from recommender.ranking.context import ScoringContext
from recommender.ranking.profile import ProfileInputs, build_vectors
from recommender.ranking.scores import score
from recommender.ranking.topics import TopicCommunity, community_scores, expand_topics, length_weight, topic_cosines
from recommender.ranking.vocabulary import embed_topics
from tests.support.ranking import topic_of
from tests.support.synthetic import binary

FILLER = ["study", "method", "results", "analysis", "approach", "novel", "design", "data", "large", "fast"]
PER_KIND = 10  # papers of each kind below


def two_readerships(seed: int = 0) -> Benchmark:
    """"network" papers read by two groups: the first group also reads "graph network"
    papers, the second "neural network" ones. Papers that say only "network" are told
    apart by who liked them, not by their words (the same filler words in both groups)."""
    rng = np.random.default_rng(seed)
    kinds = ["graph network", "network", "neural network", "network"]  # groups 0, 0, 1, 1
    texts = [f"{kind} {' '.join(rng.choice(FILLER, 3, replace=False))}" for kind in kinds for _ in range(PER_KIND)]
    rows, cols = [], []
    for user in range(24):
        group = user // 12
        items = np.arange(2 * group * PER_KIND, 2 * (group + 1) * PER_KIND)
        liked = rng.choice(items, 10, replace=False)
        rows += [user] * liked.size
        cols += liked.tolist()
    likes = binary(rows, cols, (24, len(texts)))
    return Benchmark("synthetic/readerships", likes, likes, np.arange(len(texts)), False, texts=texts)


def test_expansion_reaches_papers_without_the_topics_words(fitted: Fitted) -> None:
    index = fitted.index
    plain = embed_topics(index, ["graph"])
    expanded = expand_topics(index, plain)
    subject = np.array([topic_of(r) for r in range(len(index))])
    before, after = (plain @ index.matrix.T).toarray().ravel(), (expanded @ index.matrix.T).toarray().ravel()
    graph_papers = subject == 0
    silent = graph_papers & (before == 0)
    assert silent.any() and (after[silent] > 0).all()  # graph papers that never say "graph" now match
    assert after[graph_papers].mean() > 5 * after[~graph_papers].mean()


def test_the_community_parts_order_papers_the_words_alone_cannot() -> None:
    bench = two_readerships()
    fitted = fit(bench)
    reference = fitted.index.reference_rows()
    with_community = ScoringContext(fitted.index, fitted.community, fitted.colikes, reference_rows=reference)
    words_only = ScoringContext(fitted.index, reference_rows=reference)
    network_only = np.r_[PER_KIND : 2 * PER_KIND, 3 * PER_KIND : 4 * PER_KIND]  # first group's, then second's
    ours = set(range(PER_KIND, 2 * PER_KIND))
    found = {}
    for name, ctx in (("community", with_community), ("words", words_only)):
        vec = build_vectors(ctx, ProfileInputs(topics=["graph network"]))
        scores, _ = score(ctx, vec, ctx.block(np.arange(len(fitted.index))))
        best = network_only[np.argsort(-scores[network_only], kind="stable")[:PER_KIND]]
        found[name] = len(ours & set(best.tolist()))
        if name == "community":
            assert vec.topic_colike is not None and np.isfinite(vec.topic_gate).all()
            # The words still come first: every "graph network" paper above every "network" one.
            assert scores[:PER_KIND].min() > scores[network_only].max()
    assert found["community"] == PER_KIND  # all ten of the first group's "network" papers first
    assert found["words"] < PER_KIND - 1


def test_without_a_community_a_topic_is_its_words() -> None:
    bench = two_readerships()
    fitted = fit(bench, community=False, colikes=False)
    ctx = ScoringContext(fitted.index, reference_rows=fitted.index.reference_rows())
    vec = build_vectors(ctx, ProfileInputs(topics=["graph network"]))
    assert vec.topic_latent is None and vec.topic_colike is None and np.isinf(vec.topic_gate).all()
    scores, _ = score(ctx, vec, ctx.block(np.arange(len(fitted.index))))
    cosine = topic_cosines(vec.topic_matrix, fitted.index).ravel()  # weighed by the papers' length
    np.testing.assert_allclose(scores, cosine / vec.topic_scales[0].std, rtol=1e-5)


def test_a_topic_weighs_its_cosines_by_the_papers_length() -> None:
    bench = two_readerships()
    fitted = fit(bench, community=False, colikes=False)
    ctx = ScoringContext(fitted.index, reference_rows=fitted.index.reference_rows())
    topic = fitted.index.embed(["graph network"])
    terms = np.diff(fitted.index.matrix.indptr)
    plain = (topic @ fitted.index.matrix.T).toarray().ravel()
    weighed = topic_cosines(topic, fitted.index).ravel()
    np.testing.assert_allclose(weighed, plain * (terms / 100.0) ** 0.2, rtol=1e-5)
    assert length_weight(np.array([200]))[0] > length_weight(np.array([100]))[0] == pytest.approx(1.0)
    block = ctx.block(np.arange(len(fitted.index)))  # a block's papers: the same weights
    words_only = TopicCommunity(None, None, np.zeros(1, dtype=np.float32), np.full(1, np.inf, dtype=np.float32))
    np.testing.assert_allclose(community_scores(topic, words_only, block).ravel(), weighed, rtol=1e-5)


def test_the_best_columns_of_wide_rows_through_a_sample_bound_are_those_of_a_full_partition() -> None:
    from recommender.ranking import topics as topics_module

    rng = np.random.default_rng(4)
    sims = (rng.random((40, 30_000), dtype=np.float32) ** 6).astype(np.float32)
    sims[sims < 0.4] = 0  # mostly zeros, as a topic's cosines are
    sims[3] = 0  # no paper at all ...
    sims[4, :] = 0
    sims[4, [7, 99, 1234]] = [0.5, 0.9, 0.2]  # ... or fewer than k
    for k in (20, 200):
        got = topics_module._best(sims, k)
        want = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        assert got.shape == (40, k) and all(len(set(r)) == k for r in got.tolist())
        np.testing.assert_array_equal(np.sort(np.take_along_axis(sims, got, 1), 1), np.sort(np.take_along_axis(sims, want, 1), 1))
        np.testing.assert_array_equal(np.take_along_axis(sims, got[:, k - 1 :], 1), np.take_along_axis(sims, want[:, k - 1 :], 1))
    assert topics_module._best(sims, 20)[4, :3].tolist() == [99, 7, 1234]
