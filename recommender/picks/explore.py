"""Keyword search, "more like this" and "why this paper" over the index."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.errors import PaperbotError
from recommender.members.lookup import find_paper
from recommender.picks.recommend import hydrate
from recommender.ranking.context import ScoringContext
from recommender.ranking.index import PaperIndex
from recommender.ranking.profile import ProfileInputs, ProfileVectors
from recommender.ranking.ranker import (
    Pick,
    candidate_rows,
    explain,
    nearest,
    rank,
    recency_weight,
    top_terms,
)
from recommender.ranking.scores import score
from recommender.storage.models import Digest, DigestItem, Feedback, ReadingListEntry
from recommender.views import PaperView, Recommendation, Target, Verdict

MAX_QUERY = 200


def _require(index: PaperIndex | None) -> PaperIndex:
    if index is None or len(index) == 0:
        raise PaperbotError("The library is empty: ingest some papers first.")
    return index


def search(
    session: Session, index: PaperIndex | None, query: str, limit: int, days: int | None = None
) -> list[Recommendation]:
    """Papers matching a free-text query, by TF-IDF cosine, with the matching terms (only
    those from the last `days` days of the library, if given)."""
    index = _require(index)
    text = " ".join((query or "").split())
    if not text:
        raise PaperbotError("Type something to search for, e.g. `contrastive learning`.")
    if len(text) > MAX_QUERY:
        raise PaperbotError(f"Search queries can be at most {MAX_QUERY} characters.")
    vector = index.embed([text])
    if vector.nnz == 0:
        raise PaperbotError(f"None of the words in `{text[:60]}` occur in the library.")
    hits = nearest(index, vector, limit, among=index.window(days) if days else None)
    picks = [Pick(str(index.ids[r]), s, f"search: {text}", top_terms(index, vector, r)) for r, s in hits]
    return hydrate(session, picks)


def similar(session: Session, index: PaperIndex | None, paper_id: str, limit: int) -> tuple[PaperView, list[Recommendation]]:
    """The papers most like one paper ("more like this")."""
    index = _require(index)
    paper = find_paper(session, paper_id)
    row = index.row.get(paper.id)
    if row is None:
        raise PaperbotError(f"`{paper.id}` is not indexed yet; try again after the next index refresh.")
    vector = index.matrix[row]
    label = f"similar to {paper.title[:80]}"
    hits = nearest(index, vector, limit, skip={row})
    picks = [Pick(str(index.ids[r]), s, label, top_terms(index, vector, r)) for r, s in hits]
    return PaperView.of(paper), hydrate(session, picks)


def _left_out(session: Session, target: Target, paper_id: str) -> str | None:
    """Why a target's picks leave this paper out, whatever its score (None if they don't):
    a member's own feedback and reading list, or a digest that already carried it."""
    if target.kind == "user":
        user_id = target.id
        kinds = set(session.scalars(select(Feedback.kind).where(Feedback.user_id == user_id, Feedback.paper_id == paper_id)))
        for kind, reason in (("dismiss", "dismissed"), ("like", "liked")):
            if kind in kinds:
                return reason
        saved = session.scalar(
            select(ReadingListEntry.id).where(ReadingListEntry.user_id == user_id, ReadingListEntry.paper_id == paper_id)
        )
        if saved is not None or "save" in kinds:
            return "saved"
    sent = session.scalar(
        select(DigestItem.digest_id)
        .join(Digest, Digest.id == DigestItem.digest_id)
        .where(Digest.target_kind == target.kind, Digest.target_id == target.id, DigestItem.paper_id == paper_id)
        .limit(1)
    )
    return "sent" if sent is not None else None


def why(
    session: Session, ctx: ScoringContext | None, vec: ProfileVectors, paper_id: str, *,
    target: Target, inputs: ProfileInputs, limit: int, window_days: int, min_score: float,
    diversity: float = 0.0, recency_half_life: float | None = None,
) -> Recommendation:
    """How a paper relates to a target's topics and liked papers, and whether its picks
    (`/recommend` for a member, the digest for a channel) would include it now (the same
    candidates, threshold and ranking), if not why."""
    index = _require(ctx.index if ctx else None)
    assert ctx is not None
    paper = find_paper(session, paper_id)
    row = index.row.get(paper.id)
    if row is None:
        raise PaperbotError(f"`{paper.id}` is not indexed yet; try again after the next index refresh.")
    pick = explain(ctx, vec, row)
    if pick is None:
        if target.kind == "channel":
            raise PaperbotError("This server's digest has no topics to match yet: members can follow topics with "
                                "`/subscribe`.")
        raise PaperbotError("You don't follow any topics or like any papers yet, so nothing to compare with.")
    if recency_half_life:  # the score the ranking compares with the cut-off
        pick.score *= float(recency_weight(index, np.array([row]), recency_half_life)[0])
    window = index.window(window_days)
    newest = index.newest()
    facts = {
        "shown": limit, "threshold": min_score, "window_days": window_days,
        "window_start": newest - timedelta(days=window_days - 1) if newest else None,
    }
    reason = _left_out(session, target, paper.id)
    rank_of = None
    if reason is None and row not in set(window.tolist()):
        reason = "outside_window"
    if reason is None and pick.score <= min_score:
        reason = "below_threshold"
    if reason is None:
        rows = candidate_rows(index, window_days, inputs.exclude)
        scores, _ = score(ctx, vec, ctx.block(rows))
        if recency_half_life:
            scores = scores * recency_weight(index, rows, recency_half_life)
        rank_of = int(np.count_nonzero(scores > pick.score)) + 1
        picked = {p.paper_id for p in rank(ctx, vec, rows, limit, min_score, diversity=diversity,
                                           recency_half_life=recency_half_life)}
        reason = "picked" if paper.id in picked else "outranked"
    rec = hydrate(session, [pick])[0]
    own = 1 if reason in ("liked", "saved") else 0
    return replace(rec, liked_by=max(rec.liked_by - own, 0),
                   verdict=Verdict(reason == "picked", reason, rank_of, **facts))  # type: ignore[arg-type]
