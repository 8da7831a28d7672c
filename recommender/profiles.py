"""Interest profiles: what a user or channel follows, built into vectors in index space."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize
from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.index import PaperIndex
from recommender.storage.models import Digest, DigestItem, Feedback, ReadingListEntry, Subscription

LIKES_LABEL = "papers you liked"
# How strongly a dismissed paper pushes similar papers down.
DISMISS_WEIGHT = 0.5


@dataclass
class ProfileInputs:
    """Everything stored about one target that shapes its recommendations."""

    topics: list[str] = field(default_factory=list)
    liked: list[str] = field(default_factory=list)
    dismissed: list[str] = field(default_factory=list)
    exclude: set[str] = field(default_factory=set)


@dataclass
class SubProfile:
    label: str
    kind: str  # "topic" or "likes"
    vector: sp.csr_matrix  # 1 x terms, unit length


@dataclass
class Profile:
    subs: list[SubProfile]
    negative: sp.csr_matrix | None = None
    liked_rows: list[int] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.subs


def _delivered(session: Session, kind: str, target_id: int) -> set[str]:
    query = (
        select(DigestItem.paper_id)
        .join(Digest, Digest.id == DigestItem.digest_id)
        .where(Digest.target_kind == kind, Digest.target_id == target_id)
    )
    return set(session.scalars(query))


def user_inputs(session: Session, user_id: int) -> ProfileInputs:
    topics = list(
        session.scalars(
            select(Subscription.topic)
            .where(Subscription.target_kind == "user", Subscription.target_id == user_id)
            .order_by(Subscription.created_at)
        )
    )
    feedback = session.execute(
        select(Feedback.paper_id, Feedback.kind).where(Feedback.user_id == user_id).order_by(Feedback.created_at)
    ).all()
    liked = [pid for pid, kind in feedback if kind in ("like", "save")]
    dismissed = [pid for pid, kind in feedback if kind == "dismiss"]
    saved = set(session.scalars(select(ReadingListEntry.paper_id).where(ReadingListEntry.user_id == user_id)))
    exclude = set(liked) | set(dismissed) | saved | _delivered(session, "user", user_id)
    return ProfileInputs(topics=topics, liked=list(dict.fromkeys(liked)), dismissed=dismissed, exclude=exclude)


def channel_inputs(session: Session, channel_id: int, guild_id: int) -> ProfileInputs:
    """A channel follows its own topics; without any, the topics of the server's members."""
    rows = session.scalars(
        select(Subscription.topic)
        .where(Subscription.target_kind == "channel", Subscription.target_id == channel_id)
        .order_by(Subscription.created_at)
    ).all()
    if not rows:
        rows = session.scalars(
            select(Subscription.topic)
            .where(Subscription.target_kind == "user", Subscription.guild_id == guild_id)
            .order_by(Subscription.created_at)
        ).all()
    topics = list(dict.fromkeys(rows))
    return ProfileInputs(topics=topics, exclude=_delivered(session, "channel", channel_id))


def build_profile(index: PaperIndex, inputs: ProfileInputs, topic: str | None = None) -> Profile:
    """One sub-profile per topic plus one for liked papers; scores merge by max."""
    topics = [topic] if topic else inputs.topics
    subs: list[SubProfile] = []
    if topics:
        vectors = index.embed(topics)
        for label, i in zip(topics, range(vectors.shape[0])):
            row = vectors[i]
            if row.nnz:
                subs.append(SubProfile(label, "topic", row))
    liked_rows = index.rows_of(inputs.liked)
    if liked_rows and not topic:
        centroid = normalize(sp.csr_matrix(index.matrix[liked_rows].mean(axis=0))).astype(np.float32)
        subs.append(SubProfile(LIKES_LABEL, "likes", centroid))
    negative = None
    dismissed_rows = index.rows_of(inputs.dismissed)
    if dismissed_rows:
        negative = normalize(sp.csr_matrix(index.matrix[dismissed_rows].mean(axis=0))).astype(np.float32)
    return Profile(subs=subs, negative=negative, liked_rows=liked_rows)
