"""Batched scoring: the best part per paper, its label, many profiles at once equal one by one."""

from __future__ import annotations

import numpy as np

from recommender.evaluation.run import Fitted
from recommender.ranking.profile import ProfileInputs, ProfileVectors, build_vectors
from recommender.ranking.scores import score, score_chunks, score_many, topic_matches
from tests.support.ranking import context, ids, topic_of
from tests.support.synthetic import TOPICS

SPEECH, ASTRONOMY = " ".join(TOPICS[1][:3]), " ".join(TOPICS[3][:3])


def test_a_papers_score_is_its_best_part_and_the_part_is_reported(fitted: Fitted) -> None:
    ctx = context(fitted)
    everything = ctx.block(np.arange(len(fitted.index)))
    both = build_vectors(ctx, ProfileInputs(topics=[SPEECH, ASTRONOMY]))
    scores, part = score(ctx, both, everything)
    speech_only, _ = score(ctx, build_vectors(ctx, ProfileInputs(topics=[SPEECH])), everything)
    astronomy_only, _ = score(ctx, build_vectors(ctx, ProfileInputs(topics=[ASTRONOMY])), everything)
    np.testing.assert_allclose(scores, np.maximum(speech_only, astronomy_only), rtol=1e-5)
    subjects = np.array([topic_of(r) for r in range(len(fitted.index))])
    assert np.all(part[(subjects == 1) & (speech_only > astronomy_only)] == 1)  # 1-based: the first topic
    assert np.all(part[(subjects == 3) & (astronomy_only > speech_only)] == 2)


def test_likes_are_part_0_and_score_their_subject_highest(fitted: Fitted) -> None:
    ctx = context(fitted)
    everything = ctx.block(np.arange(len(fitted.index)))
    scores, part = score(ctx, build_vectors(ctx, ProfileInputs(liked=ids([0, 1, 2, 3]))), everything)
    assert np.all(part == 0)
    top = np.argsort(-scores)[:20]
    assert sum(topic_of(int(r)) == 0 for r in top) >= 18


def test_many_profiles_at_once_score_as_one_by_one_and_in_chunks(fitted: Fitted) -> None:
    ctx = context(fitted)
    block = ctx.block(np.arange(0, len(fitted.index), 3))
    vecs = [
        build_vectors(ctx, ProfileInputs(topics=[SPEECH])),
        build_vectors(ctx, ProfileInputs(liked=ids([0, 1, 2]), dismissed=ids([5]))),
        build_vectors(ctx, ProfileInputs(topics=[ASTRONOMY, SPEECH], liked=ids([80, 81]))),
        build_vectors(ctx, ProfileInputs(topics=[SPEECH], dismissed=ids([41]))),
        ProfileVectors(),  # nothing to go on
    ]
    together = score_many(ctx, vecs, block)
    for i, vec in enumerate(vecs):  # float32 sums in another order: scores near 0 may differ by ~1e-9
        np.testing.assert_allclose(together[i], score(ctx, vec, block)[0], rtol=1e-5, atol=1e-7)
    assert np.all(np.isneginf(together[4]))  # an empty profile ranks nothing
    chunks = score_chunks(ctx, vecs, block, lambda start, scores: (start, scores), chunk=2, workers=2)
    assert [start for start, _ in chunks] == [0, 2, 4]
    np.testing.assert_allclose(np.vstack([s for _, s in chunks]), together, rtol=1e-5, atol=1e-7)


def test_each_topic_counts_the_papers_it_matches_on_its_own(fitted: Fitted) -> None:
    ctx = context(fitted)
    everything = ctx.block(np.arange(len(fitted.index)))
    vec = build_vectors(ctx, ProfileInputs(topics=[SPEECH, ASTRONOMY]))
    speech, astronomy = topic_matches(ctx, vec, everything, 0.3)
    alone, _ = score(ctx, build_vectors(ctx, ProfileInputs(topics=[SPEECH])), everything)
    assert speech == int(np.count_nonzero(alone > 0.3)) > 0  # the same count as the topic on its own
    assert astronomy > 0 and topic_matches(ctx, vec, everything, 100.0) == [0, 0]
    assert topic_matches(ctx, build_vectors(ctx, ProfileInputs(liked=ids([0, 1]))), everything, 0.3) == []
