"""Population: members' vectors stacked as matrices, built in one batch, and their digest
picks selected at once are the picks `build_vectors` + `rank` give member by member."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from recommender.evaluation import synthetic
from recommender.ingest.seed import demo_corpus_path
from recommender.ranking.community import CoLikes, fit_community
from recommender.ranking.context import ScoringContext, StaleProfileError
from recommender.ranking.population import Population, build_population, select, topic_raw
from recommender.ranking.profile import ProfileInputs, build_vectors
from recommender.ranking.ranker import exclusion_matrix, picked_rows, rank, rank_many, recency_weight
from recommender.ranking.topics import topic_scores


@pytest.fixture(scope="module")
def world() -> tuple[ScoringContext, synthetic.Community, np.ndarray]:
    records = synthetic.read_records(demo_corpus_path())[:700]
    index = synthetic.resampled_index(records, len(records))
    order = np.argsort(index.published, kind="stable")
    candidates, pool = np.sort(order[-150:]), order[:-150]
    community = synthetic.members(index, pool, candidates, 50, [r.get("categories") or [] for r in records],
                                  [r["title"] for r in records], seed=5)
    # Some candidates already have likes (a /recommend window), so co-likes and popularity count.
    community.inputs[0].liked += [str(index.ids[r]) for r in candidates[:3]]
    community.inputs[1].liked += [str(index.ids[r]) for r in candidates[:2]]
    likes = synthetic.likes_matrix(index, community.inputs)
    ctx = ScoringContext(index, fit_community(index.matrix, likes), CoLikes.from_likes(likes),
                         reference_rows=index.reference_rows(300), version="v1")
    return ctx, community, candidates


def one_by_one(ctx, inputs, candidates, **kw) -> list[list[str]]:
    out = []
    for inp in inputs:
        keep = np.array([str(ctx.index.ids[r]) not in inp.exclude for r in candidates], dtype=bool)
        out.append([p.paper_id for p in rank(ctx, build_vectors(ctx, inp), candidates[keep], 8, **kw)])
    return out


def batched(ctx, pop, inputs, candidates, min_score, diversity, half_life) -> list[list[str]]:
    sel = select(ctx, pop, ctx.block(candidates), exclusion_matrix(ctx.index, candidates, [i.exclude for i in inputs]),
                 8, min_score, diversity=diversity, recency=recency_weight(ctx.index, candidates, half_life), chunk=16)
    return [[str(ctx.index.ids[candidates[p]]) for p, _, _ in sel.of(m)] for m in range(pop.size)]


@pytest.mark.parametrize("diversity", [0.0, 0.3])
def test_batched_picks_are_the_per_member_picks(world, diversity: float) -> None:
    ctx, community, candidates = world
    inputs = community.inputs
    pop = build_population(ctx, inputs, chunk=16)
    expected = one_by_one(ctx, inputs, candidates, min_score=0.3, diversity=diversity, recency_half_life=7.0)
    assert sum(map(len, expected)) > 100  # most members get picks
    assert any(not e for e in expected)  # ... and some get none (nothing above the bar, or no interests)
    assert batched(ctx, pop, inputs, candidates, 0.3, diversity, 7.0) == expected
    # The same from vectors built one by one and stacked (what rank_many does with stored vectors).
    stacked = Population.stack(ctx, [build_vectors(ctx, i) for i in inputs])
    assert batched(ctx, stacked, inputs, candidates, 0.3, diversity, 7.0) == expected


def test_a_window_with_liked_papers_scores_co_likes_as_one_by_one(world) -> None:
    ctx, community, _ = world
    window = np.arange(len(ctx.index) - 400, len(ctx.index))
    inputs = community.inputs[:20]
    pop = build_population(ctx, inputs)
    assert ctx.block(window).warm.any()
    assert batched(ctx, pop, inputs, window, 0.0, 0.3, 7.0) == one_by_one(ctx, inputs, window, min_score=0.0,
                                                                           diversity=0.3, recency_half_life=7.0)


def test_the_batch_build_equals_build_vectors(world) -> None:
    ctx, community, _ = world
    inputs = community.inputs[:30]
    built = build_population(ctx, inputs)
    stacked = Population.stack(ctx, [build_vectors(ctx, i) for i in inputs])
    assert (built.liked != stacked.liked).nnz == 0 or np.allclose(built.liked.toarray(), stacked.liked.toarray(), atol=1e-6)
    assert np.allclose(built.latent, stacked.latent, atol=1e-5)
    for name in ("centroid", "latent", "colike", "popularity"):
        assert np.allclose(built.part_mean[name], stacked.part_mean[name], atol=1e-5), name
        assert np.allclose(built.part_std[name], stacked.part_std[name], rtol=1e-4), name
    assert np.allclose(built.likes_center, stacked.likes_center, atol=1e-4)
    assert np.allclose(built.likes_spread, stacked.likes_spread, rtol=1e-4)
    assert (built.has_likes == stacked.has_likes).all() and (built.has_negative == stacked.has_negative).all()
    assert np.allclose(built.negative_std, np.where(stacked.has_negative, stacked.negative_std, 1.0), rtol=1e-4)
    assert built.topic_member.tolist() == stacked.topic_member.tolist()
    assert np.allclose(built.topic_std, stacked.topic_std, rtol=1e-5)
    # The topics' community parts (ranking/topics.py), built in one batch as member by member.
    assert np.isfinite(stacked.topic_gate).all() and stacked.topic_latent is not None and stacked.topic_colike is not None
    assert np.allclose(built.topic_gate, stacked.topic_gate, rtol=1e-5)
    assert np.allclose(built.topic_offset, stacked.topic_offset, atol=1e-5)
    assert np.allclose(built.topic_latent, stacked.topic_latent, atol=1e-5)
    assert np.allclose(built.topic_colike.toarray(), stacked.topic_colike.toarray(), atol=1e-6)


def test_the_topics_score_as_topic_scores_does(world) -> None:
    ctx, community, candidates = world
    vecs = [build_vectors(ctx, i) for i in community.inputs[:30]]
    pop = Population.stack(ctx, vecs)
    block = ctx.block(candidates)
    raw = topic_raw(pop, block, step=7)  # several steps
    for i, v in enumerate(vecs):
        at = slice(pop._topic_starts[i], pop._topic_starts[i + 1])
        if v.topics:
            expected = topic_scores(vecs, [(i, k) for k in range(len(v.topics))], block)
            assert np.allclose(raw[pop.topic_id[at]], expected, atol=1e-5)
    # ... which is more than the topics' cosines: their community parts count.
    cosine = (pop.topics @ block.tfidf_t).toarray()
    assert not np.allclose(raw, cosine, atol=1e-3)


def test_rank_many_goes_through_the_population_and_explains_every_pick(world) -> None:
    ctx, community, candidates = world
    inputs = community.inputs[:12]
    vecs = [build_vectors(ctx, i) for i in inputs]
    lists = rank_many(ctx, vecs, candidates, [i.exclude for i in inputs], 8, 0.3, diversity=0.3, recency_half_life=7.0)
    assert [[p.paper_id for p in picks] for picks in lists] == one_by_one(ctx, inputs, candidates, min_score=0.3,
                                                                          diversity=0.3, recency_half_life=7.0)
    picks = [p for ps in lists for p in ps]
    assert picks and all(p.label and p.terms for p in picks)
    assert all(p.paper_id not in inp.exclude for ps, inp in zip(lists, inputs) for p in ps)
    # What the topic benchmark reads: the same picks and scores, before they are explained.
    rows = picked_rows(ctx, vecs, candidates, [i.exclude for i in inputs], 8, 0.3, diversity=0.3, recency_half_life=7.0)
    assert [[str(ctx.index.ids[r]) for r, _, _ in chosen] for chosen in rows] == [[p.paper_id for p in ps] for ps in lists]
    assert [[s for _, s, _ in chosen] for chosen in rows] == [[p.score for p in ps] for ps in lists]


def test_stale_vectors_are_refused_and_empty_members_get_nothing(world) -> None:
    ctx, _, candidates = world
    pop = build_population(ctx, [ProfileInputs(), ProfileInputs(topics=["zzzzqqq"])])
    sel = select(ctx, pop, ctx.block(candidates), None, 5)
    assert (sel.positions == -1).all()
    other = ScoringContext(ctx.index, ctx.community, ctx.colikes, reference_rows=ctx.reference_rows, version="v2")
    with pytest.raises(StaleProfileError):
        select(other, pop, other.block(candidates), None, 5)


def test_topics_whose_scales_differ_between_members_are_scored_on_each_members_scale(world) -> None:
    from recommender.ranking import population as population_module

    ctx, _, candidates = world
    topic = next(t for inp in world[1].inputs for t in inp.topics)
    vecs = [build_vectors(ctx, ProfileInputs(topics=[topic])) for _ in range(3)]
    vecs[1].topic_scales[0].std *= 1.5  # the same topic, another scale (vectors built apart)
    block = ctx.block(candidates)
    digest = population_module.Digest(ctx, Population.stack(ctx, vecs), block, 0.0)
    assert digest.pair_spread
    scores, _ = digest.scores(0, 3)
    same = population_module.Digest(ctx, Population.stack(ctx, [vecs[0]]), block, 0.0)
    assert not same.pair_spread
    np.testing.assert_allclose(scores[0], same.scores(0, 1)[0][0], rtol=1e-6)
    np.testing.assert_allclose(scores[1], scores[0] / 1.5, rtol=1e-5)


def test_a_shortlist_keeps_every_pickable_score_a_full_partition_keeps() -> None:
    from recommender.ranking.population import _shortlist

    rng = np.random.default_rng(2)
    scores = rng.normal(0, 0.4, (300, 500)).astype(np.float32)
    scores[::7] += 1.0  # some members with many papers above the bar, most with a few
    scores[5] = -np.inf
    weight = rng.uniform(0.5, 1.0, 500).astype(np.float32)  # recency
    weighed = scores * weight
    short, values = _shortlist(scores, 40, 0.3, weight)
    np.testing.assert_array_equal(scores, weighed)  # weighed in place, as NumPy does
    full = np.argpartition(-scores, 39, axis=1)[:, :40]
    for row in range(300):
        want = {int(c) for c in full[row] if scores[row, c] > 0.3}
        got = {int(c) for c, v in zip(short[row], values[row]) if v > 0.3}
        assert got == want and np.array_equal(values[row][values[row] > 0.3], scores[row, short[row]][values[row] > 0.3])
    assert (values[5] == -np.inf).all() and sum((values[r] > 0.3).sum() == 40 for r in range(0, 300, 7)) > 10


def test_a_members_vectors_read_back_from_a_batch_build_score_as_build_vectors_does(world) -> None:
    from recommender.ranking.scores import score

    ctx, community, candidates = world
    inputs = community.inputs[:30]
    built = build_population(ctx, inputs)
    block = ctx.block(candidates)
    for i, inp in enumerate(inputs):
        got, want = built.vectors(ctx, i), build_vectors(ctx, inp)
        assert got.topics == want.topics and got.version == want.version
        assert sorted(got.liked_rows.tolist()) == sorted(want.liked_rows.tolist())
        assert got.has_likes == want.has_likes and got.has_negative == want.has_negative
        a, b = score(ctx, got, block), score(ctx, want, block)
        np.testing.assert_allclose(a[0], b[0], rtol=1e-4, atol=1e-4)
    again = Population.stack(ctx, [built.vectors(ctx, i) for i in range(len(inputs))])
    assert np.allclose(again.likes_spread, built.likes_spread) and again.topic_texts == built.topic_texts


def test_batches_that_share_their_topics_build_what_one_batch_builds(world) -> None:
    from recommender.ranking.population import KnownTopics

    ctx, community, _ = world
    inputs = list(community.inputs[:45])
    first = next(t for inp in inputs[:15] for t in inp.topics)
    for i in (20, 40):  # a topic followed in all three batches
        inputs[i] = dataclasses.replace(inputs[i], topics=[*inputs[i].topics, first])
    whole = build_population(ctx, inputs)
    known = KnownTopics(ctx.version)
    parts = [build_population(ctx, inputs[a : a + 15], known=known) for a in range(0, 45, 15)]
    assert len(known.topics) == len({t for inp in inputs for t in inp.topics})  # each computed once
    shared = [t for t in {t for inp in inputs[:15] for t in inp.topics} if any(t in inp.topics for inp in inputs[15:])]
    assert shared, "the sample should have topics followed in two batches"
    for a, part in zip(range(0, 45, 15), parts):
        for i in range(15):
            got, want = part.vectors(ctx, i), whole.vectors(ctx, a + i)
            assert got.topics == want.topics
            if want.topics:
                assert (got.topic_matrix != want.topic_matrix).nnz == 0
                np.testing.assert_array_equal(got.topic_offset, want.topic_offset)
                np.testing.assert_array_equal(got.topic_gate, want.topic_gate)
                assert [s.std for s in got.topic_scales] == [s.std for s in want.topic_scales]
                if want.topic_latent is not None:
                    np.testing.assert_array_equal(got.topic_latent, want.topic_latent)
    stale = KnownTopics("another version", {"x": None})
    assert build_population(ctx, inputs[:5], known=stale).size == 5 and "x" in stale.topics  # not used
