"""Counts for `paperbot stats` and `/stats`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from recommender.storage.models import (
    Digest,
    Feedback,
    Guild,
    IngestRun,
    Paper,
    Subscription,
    User,
)


def _count(session: Session, column: Any, *where: Any) -> int:
    return int(session.scalar(select(func.count(column)).where(*where)) or 0)


def collect(session: Session, recent_runs: int = 5) -> dict[str, Any]:
    newest, oldest = session.execute(select(func.max(Paper.published), func.min(Paper.published))).one()
    runs = session.scalars(select(IngestRun).order_by(IngestRun.started_at.desc(), IngestRun.id.desc()).limit(recent_runs))
    return {
        "papers": _count(session, Paper.id),
        "users": _count(session, User.id),
        "subscriptions": _count(session, Subscription.id),
        "servers": _count(session, Guild.id),
        "feedback": _count(session, Feedback.id),
        "digests_sent": _count(session, Digest.id, Digest.status == "sent"),
        "newest_paper": newest.isoformat() if newest else None,
        "oldest_paper": oldest.isoformat() if oldest else None,
        "ingest_runs": [
            {
                "id": r.id,
                "source": r.source,
                "started_at": r.started_at.isoformat(timespec="seconds"),
                "status": r.status,
                "new": r.new,
                "updated": r.updated,
                "unchanged": r.unchanged,
                "skipped": r.skipped,
                "failed": r.failed,
                "empty_reason": r.empty_reason,
            }
            for r in runs
        ],
    }


def collect_guild(session: Session, guild_id: int, members: list[int], recent_failures: int = 3) -> dict[str, Any]:
    """One server's figures: its members (as the bot knows them), their topics, its digests and their last failures."""
    member_topics = select(Subscription.topic_key).where(
        Subscription.target_kind == "user", Subscription.target_id.in_(members)
    )
    channel_topics = select(Subscription.topic_key).where(
        Subscription.target_kind == "channel", Subscription.guild_id == guild_id
    )
    last_sent = session.scalar(
        select(func.max(Digest.day)).where(Digest.guild_id == guild_id, Digest.status == "sent")
    )
    newest = session.scalar(select(func.max(Paper.published)))
    return {
        "members": len(members),
        "members_following": _count(session, func.distinct(Subscription.target_id),
                                    Subscription.target_kind == "user", Subscription.target_id.in_(members)),
        "topics": len(set(session.scalars(member_topics.union(channel_topics)).all())),
        "channel_topics": _count(session, Subscription.id, Subscription.target_kind == "channel",
                                 Subscription.guild_id == guild_id),
        "digests_sent": _count(session, Digest.id, Digest.guild_id == guild_id, Digest.status == "sent"),
        "digests_failed": _count(session, Digest.id, Digest.guild_id == guild_id, Digest.status == "failed"),
        "last_digest": last_sent.isoformat() if last_sent else None,
        "papers": _count(session, Paper.id),
        "newest_paper": newest.isoformat() if newest else None,
        "failures": [
            {"day": d.day.isoformat(), "kind": d.target_kind, "target": d.target_id, "status": d.status,
             "reason": d.reason, "error": d.error, "attempts": d.attempts,
             "failed_at": d.failed_at.isoformat(timespec="minutes") if d.failed_at else None,
             "next_retry_at": d.next_retry_at.isoformat(timespec="minutes") if d.next_retry_at else None}
            for d in session.scalars(
                select(Digest).where(Digest.guild_id == guild_id, Digest.failed_at.is_not(None))
                .order_by(Digest.failed_at.desc(), Digest.id.desc()).limit(recent_failures)
            )
        ],
    }
