"""Reading-group threads: one per server and paper, with who on the server liked or saved the paper."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.members.feedback import find_paper
from recommender.members.membership import member_ids
from recommender.storage.models import Discussion, Feedback
from recommender.storage.upsert import insert_ignore
from recommender.views import PaperView


@dataclass
class Thread:
    """A paper as a server sees it: who liked or saved it there, and its thread if one was opened."""

    paper: PaperView
    liked_by: list[int] = field(default_factory=list)  # member ids, in the order they liked it
    saved_by: list[int] = field(default_factory=list)
    channel_id: int | None = None
    thread_id: int | None = None


def thread_of(session: Session, guild_id: int, raw_id: str) -> Thread:
    paper = find_paper(session, raw_id)
    members = member_ids(session, guild_id)
    rows = session.execute(
        select(Feedback.user_id, Feedback.kind)
        .where(Feedback.paper_id == paper.id, Feedback.kind.in_(("like", "save")), Feedback.user_id.in_(members))
        .order_by(Feedback.created_at)
    )
    found = Thread(PaperView.of(paper))
    for uid, kind in rows:
        (found.liked_by if kind == "like" else found.saved_by).append(uid)
    opened = session.scalars(
        select(Discussion).where(Discussion.guild_id == guild_id, Discussion.paper_id == paper.id)
    ).first()
    if opened is not None:
        found.channel_id, found.thread_id = opened.channel_id, opened.thread_id
    return found


def record(session: Session, guild_id: int, paper_id: str, channel_id: int, thread_id: int | None, user_id: int) -> bool:
    """Note a thread opened on a paper (a thread that was deleted is replaced); True when new."""
    old = session.scalars(
        select(Discussion).where(Discussion.guild_id == guild_id, Discussion.paper_id == paper_id)
    ).first()
    if old is not None:
        old.channel_id, old.thread_id, old.opened_by = channel_id, thread_id, user_id
        return False
    session.flush()
    return insert_ignore(
        session, Discussion, ["guild_id", "paper_id"],
        guild_id=guild_id, paper_id=paper_id, channel_id=channel_id, thread_id=thread_id, opened_by=user_id,
    )


def discussed(session: Session, guild_id: int, paper_ids: list[str]) -> set[str]:
    """Which of these papers have a thread on the server."""
    if not paper_ids:
        return set()
    query = select(Discussion.paper_id).where(Discussion.guild_id == guild_id, Discussion.paper_id.in_(paper_ids))
    return set(session.scalars(query))
