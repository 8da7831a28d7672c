"""Compose digests (what was delivered is recorded in the ledger, recommender/picks/ledger.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.picks.pinning import Personal
from recommender.picks.recommend import recommend
from recommender.ranking.context import ScoringContext
from recommender.ranking.profile import ProfileInputs, ProfileVectors
from recommender.storage.models import IngestRun, Paper, PaperSource
from recommender.views import DigestDraft, RecommendResult, Target

# The sources that bring each day's new papers, in order of authority: the
# newest arXiv daily run decides; Hugging Face only when arXiv never ran.
DAILY_SOURCES = ("arxiv", "hf")


HF = "hf"
WEEK_DAYS = 7  # a weekly digest ranks the papers of the last week


def lookback(cadence: str, daily_days: int) -> int:
    """How many days of papers a digest draws on: the daily look-back, or a week for a weekly digest."""
    return max(WEEK_DAYS, daily_days) if cadence == "weekly" else daily_days
_CHUNK = 5000  # ids per IN (...) query


def outside_sources(session: Session, ids: list[str], categories: tuple[str, ...] | None, hf: bool) -> set[str]:
    """Of these papers, those a server's `/sources` leave out of its digest.

    A paper counts when one of its categories (cross-lists too) is one of the
    server's (any, without a list) and it is not a paper only Hugging Face brought;
    with Hugging Face on, a paper on Hugging Face Daily Papers counts too.
    """
    if categories is None and hf:
        return set()
    wanted = set(categories or ())
    out: set[str] = set()
    for start in range(0, len(ids), _CHUNK):
        part = ids[start : start + _CHUNK]
        seen: dict[str, set[str]] = {}
        for pid, source in session.execute(
            select(PaperSource.paper_id, PaperSource.source).where(PaperSource.paper_id.in_(part))
        ):
            seen.setdefault(pid, set()).add(source)
        for pid, cats in session.execute(select(Paper.id, Paper.categories).where(Paper.id.in_(part))):
            sources = seen.get(pid, set())
            on_hf, hf_only = HF in sources, sources == {HF}
            in_categories = categories is None or bool(wanted.intersection(cats or ()))
            if not ((in_categories and not hf_only) or (hf and on_hf)):
                out.add(pid)
    return out


def quiet_reason(session: Session) -> str | None:
    """Why the newest daily ingestion found nothing (weekend, arXiv holiday, source error), if it did."""
    newest = select(IngestRun).where(IngestRun.status != "running")
    newest = newest.order_by(IngestRun.started_at.desc(), IngestRun.id.desc()).limit(1)
    run = None
    for source in DAILY_SOURCES:
        run = session.scalars(newest.where(IngestRun.source == source)).first()
        if run is not None:
            break
    if run is None:
        run = session.scalars(newest).first()
    if run is None or run.status not in ("empty", "failed"):
        return None
    return run.empty_reason or ("source error" if run.status == "failed" else None)


def compose(
    session: Session,
    ctx: ScoringContext | None,
    target: Target,
    day: date,
    inputs: ProfileInputs,
    vec: ProfileVectors | None,
    *,
    size: int,
    lookback_days: int,
    min_score: float,
    diversity: float = 0.0,
    recency_half_life: float | None = None,
    rules: Personal | None = None,
    cadence: str = "daily",
) -> DigestDraft:
    """The digest for one target from its profile vectors (nothing is recorded yet)."""
    result = recommend(
        session, ctx, vec, inputs, limit=size, window_days=lookback_days, min_score=min_score,
        diversity=diversity, recency_half_life=recency_half_life, rules=rules,
    )
    return draft_from(session, target, day, inputs, result, cadence)


def draft_from(
    session: Session, target: Target, day: date, inputs: ProfileInputs, result: RecommendResult, cadence: str = "daily",
    quiet: Callable[[], str | None] | None = None,
) -> DigestDraft:
    """A digest draft from ranked picks, with a note saying why it is empty if it is
    (`quiet`: `quiet_reason` asked once for a batch of drafts)."""
    draft = DigestDraft(target, day, result.picks, inputs.topics, candidates=result.candidates, cadence=cadence)
    if not draft.picks:
        if not inputs.topics and not inputs.liked:
            draft.note = "No topics to match yet: members can follow topics with `/subscribe`."
        elif draft.weekly:  # a whole week: not the newest ingestion's quiet day
            draft.note = "No new papers for your topics this week."
        else:
            reason = quiet() if quiet is not None else quiet_reason(session)
            draft.note = "No new papers for your topics today" + (f" ({reason})." if reason else ".")
    return draft
