"""The likes part of a profile: the centroid, latent and co-like scores of liked papers."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.config import Settings
from recommender.evaluation.run import Fitted
from recommender.ranking.likes import community_evidence, member_evidence
from recommender.ranking.profile import ProfileInputs, build_vectors
from recommender.ranking.ranker import rank
from recommender.ranking.scores import score
from recommender.ranking.weights import COMMUNITY_PARTS, FULL_HISTORY
from tests.support.ranking import context, ids
from tests.support.small_library import library, library_context


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


FULL_COMMUNITY = COMMUNITY_PARTS["popularity"]

MIN_SCORE = Settings.model_fields["min_score"].default
RAG = ["2606.29090", "2606.30093"]
OWN = "2606.27379"  # a machine unlearning paper


def member_three(colleagues: int) -> tuple[list[str], np.ndarray]:
    """Member 3 follows "machine unlearning" and likes one paper of it; `colleagues` others like the RAG papers."""
    index, _ = library()
    likes = {m: list(RAG) for m in range(colleagues)}
    likes[colleagues] = [OWN]
    ctx = library_context(likes)
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
    ctx = library_context({0: RAG, 1: RAG, 2: [OWN]})
    assert community_evidence(ctx, "popularity") == pytest.approx(np.sqrt(3 / FULL_COMMUNITY))
    assert community_evidence(ctx, "colike") == pytest.approx(np.sqrt(3 / COMMUNITY_PARTS["colike"]))
    vecs = [build_vectors(ctx, ProfileInputs(liked=RAG[:n])) for n in (1, 2)]
    assert np.allclose(member_evidence(vecs), [1 / FULL_HISTORY, 2 / FULL_HISTORY])
    assert community_evidence(library_context({m: RAG for m in range(2 * FULL_COMMUNITY)}), "popularity") == 1.0
