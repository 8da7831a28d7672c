"""Colleagues' likes in a small server (issue 9, item 2): the community parts grow with
the evidence behind them, so a member's own topics and likes come first."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.config import Settings
from recommender.ranking.likes import community_evidence, member_evidence
from recommender.ranking.profile import ProfileInputs, build_vectors
from recommender.ranking.ranker import rank
from recommender.ranking.scores import score
from recommender.ranking.weights import COMMUNITY_PARTS, FULL_HISTORY

FULL_COMMUNITY = COMMUNITY_PARTS["popularity"]
from tests.recommender.ranking.small_library import context, library

MIN_SCORE = Settings.model_fields["min_score"].default
RAG = ["2606.29090", "2606.30093"]
OWN = "2606.27379"  # a machine unlearning paper


def member_three(colleagues: int) -> tuple[list[str], np.ndarray]:
    """Member 3 follows "machine unlearning" and likes one paper of it; `colleagues` others like the RAG papers."""
    index, _ = library()
    likes = {m: list(RAG) for m in range(colleagues)}
    likes[colleagues] = [OWN]
    ctx = context(likes)
    vec = build_vectors(ctx, ProfileInputs(topics=["machine unlearning"], liked=[OWN]))
    rows = np.array([index.row[p] for p in index.ids if p != OWN])
    picks = rank(ctx, vec, rows, 5, MIN_SCORE)
    rag_scores, _ = score(ctx, vec, ctx.block(np.array([index.row[p] for p in RAG])))
    return [p.paper_id for p in picks], rag_scores


def test_two_colleagues_likes_do_not_take_over_a_members_picks() -> None:
    _, subjects = library()
    picks, rag_scores = member_three(colleagues=2)
    assert not set(picks[:2]) & set(RAG), picks
    assert picks[0] in subjects["unlearning"]
    assert rag_scores.max() < 1.0  # not "as close as the closest papers" on colleagues' likes alone


def test_colleagues_likes_count_more_as_the_community_grows() -> None:
    _, small = member_three(colleagues=2)
    _, large = member_three(colleagues=FULL_COMMUNITY)
    assert (large > small).all(), (small, large)


def test_evidence_grows_with_the_square_root_of_the_community_up_to_full_weight() -> None:
    ctx = context({0: RAG, 1: RAG, 2: [OWN]})
    assert community_evidence(ctx, "popularity") == pytest.approx(np.sqrt(3 / FULL_COMMUNITY))
    assert community_evidence(ctx, "colike") == pytest.approx(np.sqrt(3 / COMMUNITY_PARTS["colike"]))
    vecs = [build_vectors(ctx, ProfileInputs(liked=RAG[:n])) for n in (1, 2)]
    assert np.allclose(member_evidence(vecs), [1 / FULL_HISTORY, 2 / FULL_HISTORY])
    assert community_evidence(context({m: RAG for m in range(2 * FULL_COMMUNITY)}), "popularity") == 1.0
