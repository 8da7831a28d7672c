"""Reading a target's interests from the database: topics, time-decayed likes, dismissals."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.members.membership import member_ids
from recommender.ranking.profile import ProfileInputs
from recommender.ranking.weights import LIKES_LABEL
from recommender.storage.models import (
    Digest,
    DigestItem,
    Feedback,
    ReadingListEntry,
    Subscription,
    utcnow,
)

__all__ = ["LIKES_LABEL", "ProfileInputs", "channel_inputs", "decay", "user_inputs", "users_inputs"]

# Feedback counts half as much after this many days.
FEEDBACK_HALF_LIFE_DAYS = 180.0


def decay(when: datetime, now: datetime | None = None) -> float:
    age = max(((now or utcnow()) - when).total_seconds() / 86400.0, 0.0)
    return float(0.5 ** (age / FEEDBACK_HALF_LIFE_DAYS))


def _delivered(session: Session, kind: str, target_id: int) -> set[str]:
    query = (
        select(DigestItem.paper_id)
        .join(Digest, Digest.id == DigestItem.digest_id)
        .where(Digest.target_kind == kind, Digest.target_id == target_id, DigestItem.posted_at.is_not(None))
    )
    return set(session.scalars(query))


def user_inputs(session: Session, user_id: int) -> ProfileInputs:
    return users_inputs(session, [user_id])[user_id]


def users_inputs(session: Session, user_ids: list[int], step: int = 5000) -> dict[int, ProfileInputs]:
    """Members' topics, time-decayed likes and dismissals, and exclusions (liked, dismissed,
    saved, delivered), a few queries per `step` members (the batched refold reads these)."""
    out: dict[int, ProfileInputs] = {}
    now = utcnow()
    for a in range(0, len(user_ids), step):
        ids = list(user_ids[a : a + step])
        topics: dict[int, list[str]] = {uid: [] for uid in ids}
        for uid, topic in session.execute(
            select(Subscription.target_id, Subscription.topic)
            .where(Subscription.target_kind == "user", Subscription.target_id.in_(ids))
            .order_by(Subscription.created_at, Subscription.id)
        ):
            topics[uid].append(topic)
        liked: dict[int, dict[str, float]] = {uid: {} for uid in ids}
        dismissed: dict[int, dict[str, float]] = {uid: {} for uid in ids}
        for uid, pid, kind, when in session.execute(
            select(Feedback.user_id, Feedback.paper_id, Feedback.kind, Feedback.created_at)
            .where(Feedback.user_id.in_(ids))
            .order_by(Feedback.created_at, Feedback.id)
        ):
            target = dismissed[uid] if kind == "dismiss" else liked[uid]
            target[pid] = max(target.get(pid, 0.0), decay(when, now))
        exclude: dict[int, set[str]] = {uid: set(liked[uid]) | set(dismissed[uid]) for uid in ids}
        for uid, pid in session.execute(
            select(ReadingListEntry.user_id, ReadingListEntry.paper_id).where(ReadingListEntry.user_id.in_(ids))
        ):
            exclude[uid].add(pid)
        for uid, pid in session.execute(
            select(Digest.target_id, DigestItem.paper_id)
            .join(Digest, Digest.id == DigestItem.digest_id)
            .where(Digest.target_kind == "user", Digest.target_id.in_(ids), DigestItem.posted_at.is_not(None))
        ):
            exclude[uid].add(pid)
        for uid in ids:
            out[uid] = ProfileInputs(
                topics=topics[uid], liked=list(liked[uid]), liked_weights=list(liked[uid].values()),
                dismissed=list(dismissed[uid]), dismissed_weights=list(dismissed[uid].values()), exclude=exclude[uid],
            )
    return out


def channel_inputs(session: Session, channel_id: int, guild_id: int) -> ProfileInputs:
    """A channel follows its own topics; without any, the topics of the server's members."""
    rows = session.scalars(
        select(Subscription.topic)
        .where(Subscription.target_kind == "channel", Subscription.target_id == channel_id)
        .order_by(Subscription.created_at)
    ).all()
    if not rows:  # the members' own topics, wherever they subscribed (in this server, another, or DMs)
        rows = session.scalars(
            select(Subscription.topic)
            .where(Subscription.target_kind == "user", Subscription.target_id.in_(member_ids(session, guild_id)))
            .order_by(Subscription.created_at)
        ).all()
    topics = list(dict.fromkeys(rows))
    return ProfileInputs(topics=topics, exclude=_delivered(session, "channel", channel_id))
