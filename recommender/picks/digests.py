"""Compose digests and record what was delivered, so nothing is ever sent twice."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from recommender.picks.recommend import recommend
from recommender.ranking.context import ScoringContext
from recommender.ranking.profile import ProfileInputs, ProfileVectors
from recommender.storage.models import Digest, DigestItem, IngestRun, utcnow
from recommender.views import DigestDraft, RecommendResult, Target

# A claimed digest that never got marked sent may have been posted; don't repeat it.
DONE = ("sent", "claimed")


# The sources that bring each day's new papers, in order of authority: the
# newest arXiv daily run decides; Hugging Face only when arXiv never ran.
DAILY_SOURCES = ("arxiv", "hf")


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
) -> DigestDraft:
    """The digest for one target from its profile vectors (nothing is recorded yet)."""
    result = recommend(
        session, ctx, vec, inputs, limit=size, window_days=lookback_days, min_score=min_score,
        diversity=diversity, recency_half_life=recency_half_life,
    )
    return draft_from(session, target, day, inputs, result)


def draft_from(session: Session, target: Target, day: date, inputs: ProfileInputs, result: RecommendResult) -> DigestDraft:
    """A digest draft from ranked picks, with a note saying why it is empty if it is."""
    draft = DigestDraft(target, day, result.picks, inputs.topics, candidates=result.candidates)
    if not draft.picks:
        if not inputs.topics and not inputs.liked:
            draft.note = "No topics to match yet: members can follow topics with `/subscribe`."
        else:
            reason = quiet_reason(session)
            draft.note = "No new papers for your topics today" + (f" ({reason})." if reason else ".")
    return draft


def claim(session: Session, draft: DigestDraft) -> int | None:
    """Reserve the (target, day) slot; None when that digest was already sent."""
    existing = session.scalar(
        select(Digest).where(
            Digest.target_kind == draft.target.kind, Digest.target_id == draft.target.id, Digest.day == draft.day
        )
    )
    if existing is not None:
        if existing.status in DONE:
            return None
        existing.status, existing.error, existing.created_at = "claimed", None, utcnow()
        session.execute(delete(DigestItem).where(DigestItem.digest_id == existing.id))
        digest = existing
    else:
        digest = Digest(
            target_kind=draft.target.kind, target_id=draft.target.id, guild_id=draft.target.guild_id, day=draft.day
        )
        session.add(digest)
        try:
            with session.begin_nested():
                session.flush()
        except IntegrityError:  # another worker claimed it first
            return None
    for rank_no, pick in enumerate(draft.picks, start=1):
        session.add(DigestItem(digest_id=digest.id, paper_id=pick.paper.id, rank=rank_no, score=pick.score))
    session.flush()
    return digest.id


def mark_sent(session: Session, digest_id: int, message_id: int | None) -> None:
    digest = session.get(Digest, digest_id)
    if digest is not None:
        digest.status, digest.message_id, digest.sent_at = "sent", message_id, utcnow()


def mark_failed(session: Session, digest_id: int, error: str) -> None:
    """A digest that could not be posted frees its papers for the next attempt."""
    digest = session.get(Digest, digest_id)
    if digest is not None:
        digest.status, digest.error = "failed", error[:2000]
        session.execute(delete(DigestItem).where(DigestItem.digest_id == digest_id))
