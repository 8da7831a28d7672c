"""Profile behaviour through the product's vectors and ranking, on a small corpus with
known subjects (the synthetic benchmark's items, community models fitted on its likes)."""

from __future__ import annotations

import numpy as np
import pytest

import recommender.ranking.block as block_module
from recommender.evaluation.run import Fitted, fit
from recommender.ranking.context import ScoringContext
from recommender.ranking.profile import ProfileInputs, build_vectors
from recommender.ranking.ranker import rank
from recommender.ranking.scores import score, score_chunks, score_many
from recommender.ranking.weights import LIKES_LABEL
from tests.support.synthetic import TOPICS, topical_cold

PER_TOPIC = 40


@pytest.fixture(scope="module")
def fitted() -> Fitted:
    return fit(topical_cold(per_topic=PER_TOPIC))


def context(fitted: Fitted) -> ScoringContext:
    assert fitted.community is not None and fitted.colikes is not None
    return ScoringContext(fitted.index, fitted.community, fitted.colikes, reference_rows=fitted.index.reference_rows())


def topic_of(row: int) -> int:
    return row // PER_TOPIC


def ids(rows: list[int]) -> list[str]:
    return [str(r) for r in rows]


def test_a_dismissal_lowers_similar_papers_and_leaves_unrelated_ones(fitted: Fitted) -> None:
    ctx = context(fitted)
    index = fitted.index
    liked, dismissed = [0, 1, 2, 3], 5  # graph papers; the dismissed one is a graph paper too
    everything = np.arange(len(index))
    before, _ = score(ctx, build_vectors(ctx, ProfileInputs(liked=ids(liked))), ctx.block(everything))
    after, _ = score(ctx, build_vectors(ctx, ProfileInputs(liked=ids(liked), dismissed=ids([dismissed]))), ctx.block(everything))
    cosine = (index.matrix @ index.matrix[dismissed].T).toarray().ravel()
    similar = np.flatnonzero(cosine > 0.3)
    unrelated = np.flatnonzero(cosine == 0)
    assert similar.size >= 3 and unrelated.size >= 50
    assert np.all(after[similar] < before[similar])
    assert np.allclose(after[unrelated], before[unrelated])
    # The more similar to the dismissed paper, the bigger the drop.
    drop = before - after
    assert np.corrcoef(cosine[similar], drop[similar])[0, 1] > 0.5


def test_likes_in_two_unrelated_areas_both_surface(fitted: Fitted) -> None:
    ctx = context(fitted)
    liked = [0, 1, 2, 3, 2 * PER_TOPIC, 2 * PER_TOPIC + 1, 2 * PER_TOPIC + 2, 2 * PER_TOPIC + 3]  # graphs, proteins
    vec = build_vectors(ctx, ProfileInputs(liked=ids(liked)))
    candidates = np.setdiff1d(np.arange(len(fitted.index)), liked)
    picks = rank(ctx, vec, candidates, limit=10)
    subjects = [topic_of(int(p.paper_id)) for p in picks]
    assert len(picks) == 10 and all(p.label == LIKES_LABEL for p in picks)
    assert set(subjects) == {0, 2}
    assert min(subjects.count(0), subjects.count(2)) >= 3


def test_two_topics_each_get_picks_labelled_with_the_topic(fitted: Fitted) -> None:
    ctx = context(fitted)
    topics = [" ".join(TOPICS[1][:3]), " ".join(TOPICS[3][:3])]  # speech, astronomy
    vec = build_vectors(ctx, ProfileInputs(topics=topics))
    picks = rank(ctx, vec, np.arange(len(fitted.index)), limit=10)
    by_label: dict[str, list[int]] = {}
    for p in picks:
        by_label.setdefault(p.label, []).append(topic_of(int(p.paper_id)))
    assert set(by_label) == set(topics)
    assert set(by_label[topics[0]]) == {1} and set(by_label[topics[1]]) == {3}
    assert min(len(v) for v in by_label.values()) >= 3


def test_papers_nobody_has_liked_have_text_weights_of_their_own(fitted: Fitted) -> None:
    ctx = context(fitted)
    assert fitted.colikes is not None
    warm = np.flatnonzero(fitted.colikes.popularity > 0)
    cold = np.flatnonzero(fitted.colikes.popularity == 0)
    assert warm.size >= 20 and cold.size >= 20
    liked = ids([0, 1, 2, 3])

    def scores(weights: dict[str, float]) -> np.ndarray:
        ctx.weights = weights
        vec = build_vectors(ctx, ProfileInputs(liked=liked))
        return score(ctx, vec, ctx.block(np.arange(len(fitted.index))))[0]

    split = scores({"centroid": 1.0, "latent": 0.0, "centroid_cold": 1.0, "latent_cold": 2.0})
    centroid_only = scores({"centroid": 1.0})
    one_weight = scores({"centroid": 1.0, "latent": 2.0})
    # Papers with likes rank as the centroid alone ranks them, the others as with the latent part.
    assert np.corrcoef(split[warm], centroid_only[warm])[0, 1] > 0.9999
    assert np.corrcoef(split[cold], one_weight[cold])[0, 1] > 0.9999
    assert np.corrcoef(split[warm], one_weight[warm])[0, 1] < 0.999
    # Where no paper has likes (a community without any), the cold weights hold for all.
    ctx.colikes = None
    ctx.weights = {"centroid": 1.0, "latent": 0.0, "centroid_cold": 1.0, "latent_cold": 2.0}
    block = ctx.block(np.arange(len(fitted.index)))
    alone = score(ctx, build_vectors(ctx, ProfileInputs(liked=liked)), block)[0]
    ctx.weights = {"centroid": 1.0, "latent": 2.0}
    assert np.corrcoef(alone, score(ctx, build_vectors(ctx, ProfileInputs(liked=liked)), block)[0])[0, 1] > 0.9999


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
