"""Reading-group threads: one per server and paper, with who on the server liked or saved the paper.

A paper one of the server's channel digests carried lately belongs to that digest: its thread
is opened in the digest's channel and the digest's day thread links to it (threads can't
nest). Members' messages in a thread are counted (never stored): the digests, `/recommend`
and `/trending` show "💬 N" for the papers being discussed on the server.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from recommender.members.feedback import find_paper
from recommender.members.membership import member_ids
from recommender.storage.models import Digest, DigestItem, Discussion, Feedback, Paper, utcnow
from recommender.storage.upsert import insert_ignore
from recommender.views import Discussed, PaperView, Recommendation

RECENT_DAYS = 14  # a paper belongs to a digest that carried it this recently


@dataclass(frozen=True)
class DigestHome:
    """The channel digest a paper was in: where its discussion opens and what links to it."""

    digest_id: int
    channel_id: int
    day: date
    rank: int  # the paper's number in that digest
    thread_id: int | None  # the digest's day thread (the channel itself when it had none)


@dataclass
class Thread:
    """A paper as a server sees it: who liked or saved it there, and its thread if one was opened."""

    paper: PaperView
    liked_by: list[int] = field(default_factory=list)  # member ids, in the order they liked it
    saved_by: list[int] = field(default_factory=list)
    channel_id: int | None = None
    thread_id: int | None = None
    messages: int = 0
    home: DigestHome | None = None  # the recent channel digest it was in


def home_of(session: Session, guild_id: int, paper_id: str, today: date | None = None) -> DigestHome | None:
    """The newest of the server's channel digests (of the last RECENT_DAYS days) that posted the paper."""
    since = (today or date.today()) - timedelta(days=RECENT_DAYS)
    row = session.execute(
        select(Digest.id, Digest.target_id, Digest.day, DigestItem.rank, Digest.thread_id)
        .join(DigestItem, DigestItem.digest_id == Digest.id)
        .where(Digest.target_kind == "channel", Digest.guild_id == guild_id, Digest.day >= since,
               DigestItem.paper_id == paper_id, DigestItem.posted_at.is_not(None))
        .order_by(Digest.day.desc(), Digest.id.desc()).limit(1)
    ).first()
    if row is None:
        return None
    digest_id, channel_id, day, rank, thread_id = row
    return DigestHome(digest_id, channel_id, day, rank, thread_id)


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
        found.channel_id, found.thread_id, found.messages = opened.channel_id, opened.thread_id, opened.messages
    found.home = home_of(session, guild_id, paper.id)
    return found


def record(
    session: Session, guild_id: int, paper_id: str, channel_id: int, thread_id: int | None, user_id: int,
    digest_id: int | None = None,
) -> bool:
    """Note a thread opened on a paper (a thread that was deleted is replaced, its count starts over);
    True when new."""
    old = session.scalars(
        select(Discussion).where(Discussion.guild_id == guild_id, Discussion.paper_id == paper_id)
    ).first()
    if old is not None:
        old.channel_id, old.thread_id, old.opened_by, old.digest_id = channel_id, thread_id, user_id, digest_id
        old.messages, old.last_message_at, old.link_id = 0, None, None
        return False
    session.flush()
    return insert_ignore(
        session, Discussion, ["guild_id", "paper_id"],
        guild_id=guild_id, paper_id=paper_id, channel_id=channel_id, thread_id=thread_id, opened_by=user_id,
        digest_id=digest_id,
    )


def record_link(session: Session, guild_id: int, paper_id: str, link_id: int) -> None:
    """The message in the digest's day thread that links to the discussion (posted once)."""
    session.execute(update(Discussion).where(Discussion.guild_id == guild_id, Discussion.paper_id == paper_id)
                    .values(link_id=link_id))


def count_message(session: Session, thread_id: int) -> bool:
    """A member wrote in a thread: one more message if it is a discussion's; True when it was."""
    result = session.execute(update(Discussion).where(Discussion.thread_id == thread_id)
                             .values(messages=Discussion.messages + 1, last_message_at=utcnow()))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def discussed(session: Session, guild_id: int, paper_ids: list[str]) -> dict[str, Discussed]:
    """The papers of these that have a thread on the server, with its message count."""
    if not paper_ids:
        return {}
    query = select(Discussion).where(Discussion.guild_id == guild_id, Discussion.paper_id.in_(set(paper_ids)))
    return {d.paper_id: Discussed(d.thread_id, d.messages) for d in session.scalars(query) if d.thread_id is not None}


def most_discussed(session: Session, guild_id: int, days: int, limit: int = 5) -> list[tuple[PaperView, Discussed]]:
    """The server's threads with messages in the last `days` days, most messages first."""
    since = utcnow() - timedelta(days=days)
    rows = session.scalars(
        select(Discussion).where(Discussion.guild_id == guild_id, Discussion.messages > 0,
                                 Discussion.thread_id.is_not(None), Discussion.last_message_at >= since)
        .order_by(Discussion.messages.desc(), Discussion.paper_id).limit(limit)
    ).all()
    wanted = {d.paper_id for d in rows}
    papers = {p.id: PaperView.of(p) for p in session.scalars(select(Paper).where(Paper.id.in_(wanted)))} if wanted else {}
    return [(papers[d.paper_id], Discussed(d.thread_id, d.messages)) for d in rows if d.paper_id in papers]


def annotate(session: Session, guild_id: int, picks: list[Recommendation]) -> list[Recommendation]:
    """The picks with their thread on the server and its count, where there is one."""
    found = discussed(session, guild_id, [r.paper.id for r in picks])
    return [replace(r, discussion=found[r.paper.id]) if r.paper.id in found else r for r in picks]
