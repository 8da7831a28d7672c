"""PaperBlock: the candidates' rows and the cache of cosines to liked and dismissed papers."""

from __future__ import annotations

import numpy as np
import pytest

import recommender.ranking.block as block_module
from recommender.evaluation.run import Fitted
from recommender.ranking.profile import ProfileInputs, build_vectors
from recommender.ranking.scores import score_chunks, score_many
from tests.support.ranking import context, ids


def test_chunked_scoring_with_a_full_cosine_cache_scores_as_one_pass(
    fitted: Fitted, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = context(fitted)
    rng = np.random.default_rng(3)
    n = len(fitted.index)
    inputs = [
        ProfileInputs(liked=ids(sorted(rng.choice(n, 6, replace=False).tolist())), dismissed=ids([int(rng.integers(n))]))
        for _ in range(60)
    ]
    vecs = [build_vectors(ctx, inp) for inp in inputs]
    candidates = np.arange(0, n, 2)
    expected = score_many(ctx, vecs, ctx.block(candidates))
    # Room for the cosines of only 25 liked or dismissed papers: the rest are computed per chunk.
    monkeypatch.setattr(block_module, "SIMS_CACHE_FLOATS", 25 * candidates.size)
    monkeypatch.setattr(block_module, "SIMS_CACHE_ROWS", 10)
    monkeypatch.setattr(block_module, "PARALLEL_ROWS", 4)  # and big sets computed on two threads
    block = ctx.block(candidates)
    chunks = score_chunks(ctx, vecs, block, lambda start, scores: (start, scores), chunk=7, workers=2)
    assert block._kept_rows.size == 25  # papers whose cosines are kept
    got = np.vstack([scores for _, scores in sorted(chunks, key=lambda c: c[0])])
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    assert np.isfinite(got).all()


def test_the_cosines_of_many_papers_split_into_dense_and_sparse_terms_equal_the_sparse_product(
    fitted: Fitted, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = context(fitted)
    n = len(fitted.index)
    candidates = np.arange(1, n, 3)
    rows = np.arange(0, n, 2)
    expected = (fitted.index.matrix[rows] @ fitted.index.matrix[candidates].T).toarray()
    monkeypatch.setattr(block_module, "PARALLEL_ROWS", 8)  # on two threads, in parts of 16 rows
    monkeypatch.setattr(block_module, "COSINE_ROWS", 16)
    monkeypatch.setattr(block_module, "SPLIT_PAPERS", 10)
    monkeypatch.setattr(block_module, "DENSE_TERMS", 40)
    block = ctx.block(candidates)
    pos, sims = block.sims(ctx, rows)
    assert block._dense is not None and block._dense[1].shape == (40, candidates.size)
    np.testing.assert_allclose(sims[pos], expected, rtol=1e-5, atol=1e-6)


def test_topic_cosines_with_a_block_are_the_same_through_its_dense_terms(
    fitted: Fitted, monkeypatch: pytest.MonkeyPatch
) -> None:
    from recommender.ranking import topics
    from recommender.ranking.vocabulary import embed_topics

    ctx = context(fitted)
    vectors = topics.expand_topics(fitted.index, embed_topics(fitted.index, ["neural networks", "protein folding", "graph"]))
    candidates = np.arange(0, len(fitted.index), 2)
    plain = topics._block_cosines(vectors, ctx.block(candidates))
    monkeypatch.setattr(block_module, "SPLIT_PAPERS", 10)
    monkeypatch.setattr(block_module, "DENSE_TERMS", 25)
    split = ctx.block(candidates)
    np.testing.assert_allclose(topics._block_cosines(vectors, split), plain, rtol=1e-5, atol=1e-6)
    assert split._dense is not None and plain.max() > 0
