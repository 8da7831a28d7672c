"""Turn a profile's ranked picks into recommendations with paper details."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from recommender.picks.pinning import Personal, pin, screen, without_muted
from recommender.ranking.context import ScoringContext
from recommender.ranking.profile import ProfileInputs, ProfileVectors
from recommender.ranking.ranker import MAX_TERMS, Pick, candidate_rows, rank
from recommender.ranking.text import written_forms
from recommender.storage.models import Feedback, Paper
from recommender.views import PaperView, Recommendation, RecommendResult


def liked_by(session: Session, paper_ids: set[str]) -> dict[str, int]:
    """How many members liked or saved each paper (the colleagues' signal)."""
    if not paper_ids:
        return {}
    query = (
        select(Feedback.paper_id, func.count(func.distinct(Feedback.user_id)))
        .where(Feedback.paper_id.in_(paper_ids), Feedback.kind.in_(("like", "save")))
        .group_by(Feedback.paper_id)
    )
    return {pid: int(n) for pid, n in session.execute(query)}


def shown_terms(pick: Pick, paper: PaperView, limit: int = MAX_TERMS) -> list[str]:
    """The pick's terms as the paper writes them, leaving out word pairs it never writes."""
    text = f"{paper.title}. {paper.abstract}"
    written = written_forms(pick.terms, text)
    return list(dict.fromkeys(w for w in written if w))[:limit]


def hydrate(session: Session, picks: list[Pick]) -> list[Recommendation]:
    wanted = {p.paper_id for p in picks} | {p.similar_to for p in picks if p.similar_to}
    papers = {p.id: PaperView.of(p) for p in session.scalars(select(Paper).where(Paper.id.in_(wanted)))}
    likers = liked_by(session, {p.paper_id for p in picks})  # the target's own likes are never picked
    out = []
    for pick in picks:
        paper = papers.get(pick.paper_id)
        if paper is None:  # deleted since the index was built
            continue
        similar = papers.get(pick.similar_to) if pick.similar_to else None
        out.append(Recommendation(
            paper, pick.score, pick.label, shown_terms(pick, paper), similar,
            matched_on=pick.matched_on, liked_by=likers.get(pick.paper_id, 0),
        ))
    return out


def recommend(
    session: Session,
    ctx: ScoringContext | None,
    vec: ProfileVectors | None,
    inputs: ProfileInputs,
    *,
    limit: int,
    window_days: int,
    min_score: float,
    diversity: float = 0.0,
    recency_half_life: float | None = None,
    rules: Personal | None = None,
) -> RecommendResult:
    """Rank recent papers for a profile, leaving out what the target has seen or rated
    (and, with a member's `rules`, what they muted; their followed authors' papers pinned on top)."""
    if ctx is None or len(ctx.index) == 0:
        return RecommendResult([], "The library is empty: ingest some papers first (`paperbot ingest`).")
    if (vec is None or vec.empty) and not (rules and rules.follows):
        if inputs.topics:
            return RecommendResult([], "None of the words in your topics occur in the library yet; try other keywords.")
        return RecommendResult(
            [], "You don't follow any topics yet. Start with `/subscribe topic: graph neural networks`."
        )
    rows = candidate_rows(ctx.index, window_days, inputs.exclude)
    screened = screen(session, [str(i) for i in ctx.index.ids[rows]], rules) if rules else None
    if screened is not None:
        rows = without_muted(ctx, rows, screened.muted)
    picks = rank(ctx, vec, rows, limit, min_score, diversity=diversity, recency_half_life=recency_half_life) if vec else []
    result = RecommendResult(
        hydrate(session, picks), candidates=int(rows.size), window_days=window_days,
        window_end=ctx.index.newest(), library=len(ctx.index),
    )
    if screened is not None:
        result.picks = pin(session, ctx, vec, screened.pinned, result.picks, limit)
    if not result.picks:
        result.note = "Nothing new matches your interests well enough right now."
    return result
