"""The digest-scale benchmark (`paperbot bench`) on a small real sample: its members and its figures."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.evaluation.scale import (
    TOP,
    index_from_records,
    likes_matrix,
    run_scale,
    synthetic_members,
)

pytestmark = pytest.mark.semantic  # also run in CI's venv with the semantic extra (.ci/run)

WORDS = ["graph", "neural", "speech", "protein", "diffusion", "robot", "quantum", "market", "galaxy", "privacy"]


def records(n: int) -> list[dict]:
    return [{"id": f"2607.{i:05d}", "title": f"{WORDS[i % 10]} {WORDS[(i * 3) % 10]} methods {i % 7}",
             "abstract": f"We study {WORDS[i % 10]} with {WORDS[(i + 4) % 10]} and {WORDS[(i * 7) % 10]} models.",
             "published": f"2026-07-{1 + i % 28:02d}"} for i in range(n)]


def test_synthetic_members_like_real_papers_of_the_pool_and_follow_real_terms() -> None:
    index = index_from_records(records(200))
    pool = np.arange(150)
    members = synthetic_members(index, pool, 30)
    pool_ids = {str(index.ids[r]) for r in pool}
    assert len(members) == 30
    assert all(set(m.liked) <= pool_ids and len(m.liked) <= 40 and len(m.topics) <= 3 for m in members)
    assert all(t in set(index.terms) for m in members for t in m.topics)
    assert [m.liked for m in synthetic_members(index, pool, 30)] == [m.liked for m in members]  # seeded
    likes = likes_matrix(index, members)
    assert likes.shape == (200, 30) and likes.nnz == sum(len(set(m.liked)) for m in members)


def test_run_scale_scores_every_member_and_reports_its_figures() -> None:
    said: list[str] = []
    result = run_scale(records(300), members=40, candidates=50, progress=said.append)
    assert (result.papers, result.members, result.candidates) == (300, 40, 50)
    figures = result.figures
    assert {"index_seconds", "community_fit_seconds", "profile_build_ms_per_member", "score_seconds",
            "score_ms_per_member", "picks", "peak_rss_mb"} <= set(figures)
    assert all(v >= 0 for v in figures.values()) and figures["peak_rss_mb"] > 0
    assert 0 < figures["picks"] <= 40 * TOP  # members with topics or likes get picks
    assert said and said[-1] == "scoring"
