"""Profile vectors (build_vectors) through the product's scoring, on a small corpus with
known subjects (the synthetic benchmark's items, community models fitted on its likes)."""

from __future__ import annotations

import numpy as np

from recommender.config import Settings
from recommender.evaluation.run import Fitted
from recommender.ranking.profile import ProfileInputs, build_vectors, heaviest_terms
from recommender.ranking.ranker import rank
from recommender.ranking.scale import TOP, Scale
from recommender.ranking.scores import score
from tests.support.ranking import context, ids, topic_of
from tests.support.small_library import library, library_context
from tests.support.synthetic import TOPICS


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


MIN_SCORE = Settings.model_fields["min_score"].default


def candidates(exclude: list[str]) -> np.ndarray:
    index, _ = library()
    return np.array([index.row[pid] for pid in index.ids if pid not in set(exclude)])


def test_four_liked_papers_bring_their_neighbours_in_a_300_paper_library() -> None:
    index, subjects = library()
    liked = subjects["tta"][:4]
    ctx = library_context()
    vec = build_vectors(ctx, ProfileInputs(liked=liked))
    picks = rank(ctx, vec, candidates(liked), 10, MIN_SCORE)
    tta = [p for p in picks if p.paper_id in subjects["tta"]]
    # 6 test-time-adaptation papers are left besides the 4 liked ones.
    assert len(tta) >= 4, [(p.paper_id, round(p.score, 2)) for p in picks]
    assert picks[0].paper_id in subjects["tta"]


def test_the_liked_papers_themselves_stay_out_of_the_scale() -> None:
    index, subjects = library()
    liked = subjects["tta"][:4]
    ctx = library_context()
    vec = build_vectors(ctx, ProfileInputs(liked=liked))
    from recommender.ranking.scores import score

    scores, _ = score(ctx, vec, ctx.block(np.array([index.row[p] for p in liked])))
    # Liked papers are far above 1.0: they are not what the top of the scale is made of.
    assert scores.min() > 1.5, scores


def test_one_is_the_mean_of_the_closest_papers_however_large_the_sample() -> None:
    for n in (300, 2000):
        sample = np.r_[np.zeros(n - TOP), np.full(TOP, 2.0)]
        assert Scale.relative(sample, center=0.0).std == 2.0
    # Two outliers in a small sample stretch the scale only by their share of the top.
    sample = np.r_[np.zeros(295), [1.0, 1.0, 1.0, 10.0, 20.0]]
    assert Scale.relative(sample, center=0.0).std == 33.0 / TOP


def test_two_topics_share_the_picks_whatever_the_rarity_of_their_words() -> None:
    _, subjects = library()
    ctx = library_context()
    vec = build_vectors(ctx, ProfileInputs(topics=["continual learning", "retrieval-augmented generation"]))
    picks = rank(ctx, vec, candidates([]), 10, MIN_SCORE, diversity=Settings.model_fields["diversity"].default)
    labels = [p.label for p in picks]
    assert len(picks) == 10
    assert 3 <= labels.count("continual learning") <= 7, labels


def test_the_heaviest_terms_come_from_the_topics_and_the_liked_papers(fitted: Fitted) -> None:
    ctx = context(fitted)
    speech = " ".join(TOPICS[1][:3])
    terms = heaviest_terms(ctx.index, build_vectors(ctx, ProfileInputs(topics=[speech])), limit=8)
    assert 0 < len(terms) <= 8 and any(w in " ".join(terms) for w in TOPICS[1][:3])
    liked = heaviest_terms(ctx.index, build_vectors(ctx, ProfileInputs(liked=ids([0, 1, 2, 3]))), limit=8)
    assert sum(any(w in t.split() for w in TOPICS[0]) for t in liked) >= 4  # the liked papers' subject
    assert heaviest_terms(ctx.index, build_vectors(ctx, ProfileInputs())) == []
    for t in terms:  # no term inside a heavier phrase
        assert not any(t != other and set(t.split()) <= set(other.split()) for other in terms)
