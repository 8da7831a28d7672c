"""Profile vectors (build_vectors) through the product's scoring, on a small corpus with
known subjects (the synthetic benchmark's items, community models fitted on its likes)."""

from __future__ import annotations

import numpy as np

from recommender.evaluation.run import Fitted
from recommender.ranking.profile import ProfileInputs, build_vectors
from recommender.ranking.ranker import rank
from recommender.ranking.scores import score
from tests.support.ranking import context, ids, topic_of
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


