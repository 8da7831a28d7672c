"""Population.take and Population.concat: rows of stored populations and newly stacked
members joined in any order are the matrices `Population.stack` makes of their vectors."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.evaluation import synthetic
from recommender.ranking.context import ScoringContext
from recommender.ranking.population import PARTS, Population, build_population, select
from recommender.ranking.profile import ProfileInputs
from recommender.ranking.ranker import exclusion_matrix, rank_many
from recommender.service import PaperService


def _same(a: Population, b: Population) -> None:
    """Every array of two populations equal (sparse ones as dense), the topics in the same order."""
    assert a.version == b.version and a.size == b.size and a.topic_texts == b.topic_texts
    for name in ("liked", "negative", "topics", "topic_colike"):
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None) == (y is None), name
        if x is not None:
            assert x.shape == y.shape and x.dtype == y.dtype, name
            np.testing.assert_array_equal(sp.csr_matrix(x).toarray(), sp.csr_matrix(y).toarray(), err_msg=name)
    for name in ("latent", "has_latent", "has_colike", "likes_center", "likes_spread", "has_likes", "topic_latent",
                 "topic_offset", "topic_gate", "topic_member", "topic_id", "topic_std", "topic_slot", "negative_std",
                 "has_negative"):
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None) == (y is None), name
        if x is not None:
            assert x.dtype == y.dtype, name
            np.testing.assert_array_equal(x, y, err_msg=name)
    for p in PARTS:
        np.testing.assert_array_equal(a.part_mean[p], b.part_mean[p])
        np.testing.assert_array_equal(a.part_std[p], b.part_std[p])


@pytest.fixture
def built(service: PaperService) -> tuple[ScoringContext, Population, np.ndarray]:
    service.feedback(1, "2606.29090", "like")  # a community model, so latents and co-likes are in play
    service.feedback(2, "2606.30093", "like")
    ctx = service.context()
    assert ctx is not None
    order = np.argsort(ctx.index.published, kind="stable")
    community = synthetic.members(ctx.index, order[:-100], order[-100:], 40, seed=7)
    inputs = [*community.inputs, ProfileInputs(), ProfileInputs(topics=["speech recognition"])]
    return ctx, build_population(ctx, inputs), order[-100:]


def test_take_and_concat_in_any_order_are_the_stack_of_the_vectors(built: tuple[ScoringContext, Population, np.ndarray]) -> None:
    ctx, pop, _ = built
    vecs = [pop.vectors(ctx, i) for i in range(pop.size)]
    assert sum(bool(v.topics) for v in vecs) > 10 and sum(v.has_negative for v in vecs) > 5
    order = np.random.default_rng(3).permutation(pop.size)
    _same(pop.take(order), Population.stack(ctx, [vecs[i] for i in order]))
    # Stored rows, members stacked anew, stored rows again: one population in that order.
    a, b, c = order[:15], order[15:22], order[22:]
    joined = Population.concat([pop.take(a), Population.stack(ctx, [vecs[i] for i in b]), pop.take(c)])
    _same(joined, Population.stack(ctx, [vecs[i] for i in order]))
    _same(Population.concat([pop.take([])] * 2), Population.stack(ctx, []))
    assert Population.concat([pop]) is pop


def test_concat_keeps_the_first_followers_topic_rows(built: tuple[ScoringContext, Population, np.ndarray]) -> None:
    """As `stack` does: a topic followed in two populations takes its rows from the first."""
    ctx, pop, _ = built
    follower = int(pop.topic_member[0])
    other = pop.take([follower])
    other.topics = other.topics * 2.0  # another build's rows for the same topic text
    joined = Population.concat([pop.take([follower]), other])
    assert joined.topic_texts == pop.take([follower]).topic_texts
    np.testing.assert_array_equal(joined.topics.toarray(), pop.take([follower]).topics.toarray())
    assert list(joined.topic_member) == [0] * other.topic_member.size + [1] * other.topic_member.size
    stale = pop.take([0])
    stale.version = "another"
    with pytest.raises(ValueError):
        Population.concat([pop.take([0]), stale])


def test_rank_many_on_a_population_picks_and_explains_as_on_the_vectors(
    built: tuple[ScoringContext, Population, np.ndarray],
) -> None:
    ctx, pop, rows = built
    order = np.random.default_rng(4).permutation(pop.size)
    vecs = [pop.vectors(ctx, int(i)) for i in order]
    excludes = [{str(ctx.index.ids[rows[int(i) % rows.size]])} for i in order]
    joined = Population.concat([pop.take(order[:20]), Population.stack(ctx, vecs[20:30]), pop.take(order[30:])])
    kwargs = dict(diversity=0.3, recency_half_life=7.0, chunk=16)
    by_vectors = rank_many(ctx, vecs, rows, excludes, 5, 0.0, **kwargs)
    by_pop = rank_many(ctx, None, rows, excludes, 5, 0.0, pop=joined, **kwargs)
    assert by_pop == by_vectors and sum(bool(p) for p in by_pop) > 20
    assert not any(p.paper_id in ex for picks, ex in zip(by_pop, excludes) for p in picks)
    with pytest.raises(ValueError):
        rank_many(ctx, None, rows, excludes[:3], 5, pop=joined)
    # select on the stored rows directly, as the digest runs it
    direct = select(ctx, joined, ctx.block(rows), exclusion_matrix(ctx.index, rows, excludes), 5)
    assert direct.positions.shape == (pop.size, 5)
