"""Likes, saves, dismissals and the reading list."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from recommender.errors import PaperbotError
from recommender.members.lookup import find_paper
from recommender.storage.models import Feedback, Paper, ReadingListEntry, User, utcnow
from recommender.storage.upsert import insert_ignore
from recommender.views import PaperView, ReadingItem, ReadingPage

KINDS = ("like", "save", "dismiss")
# A like or save cancels an earlier dismissal and the other way round.
OPPOSITE = {"like": ("dismiss",), "dismiss": ("like", "save"), "save": ("dismiss",)}


def ensure_user(session: Session, user_id: int) -> User:
    """The member's row, created on first use (an upsert: concurrent first commands never collide)."""
    session.flush()
    if not insert_ignore(session, User, ["id"], id=user_id):
        session.execute(update(User).where(User.id == user_id).values(last_active=utcnow()))
    user = session.get(User, user_id, populate_existing=True)
    assert user is not None
    return user


def record(session: Session, user_id: int, raw_id: str, kind: str) -> tuple[PaperView, bool]:
    """Store one piece of feedback; returns (paper, changed)."""
    if kind not in KINDS:
        raise PaperbotError(f"Unknown feedback {kind!r}; use one of {', '.join(KINDS)}.")
    ensure_user(session, user_id)
    paper = find_paper(session, raw_id)
    session.execute(
        delete(Feedback).where(
            Feedback.user_id == user_id, Feedback.paper_id == paper.id, Feedback.kind.in_(OPPOSITE[kind])
        )
    )
    exists = session.scalar(
        select(Feedback.id).where(Feedback.user_id == user_id, Feedback.paper_id == paper.id, Feedback.kind == kind)
    )
    if kind == "save":
        add_to_reading_list(session, user_id, paper.id)
    if kind == "dismiss":
        session.execute(
            delete(ReadingListEntry).where(ReadingListEntry.user_id == user_id, ReadingListEntry.paper_id == paper.id)
        )
    if exists is not None:
        return PaperView.of(paper), False
    changed = insert_ignore(session, Feedback, ["user_id", "paper_id", "kind"], user_id=user_id, paper_id=paper.id, kind=kind)
    return PaperView.of(paper), changed


def add_to_reading_list(session: Session, user_id: int, paper_id: str) -> bool:
    session.flush()
    return insert_ignore(session, ReadingListEntry, ["user_id", "paper_id"], user_id=user_id, paper_id=paper_id)


def reading_list(session: Session, user_id: int) -> list[PaperView]:
    rows = session.scalars(
        select(Paper)
        .join(ReadingListEntry, ReadingListEntry.paper_id == Paper.id)
        .where(ReadingListEntry.user_id == user_id)
        .order_by(ReadingListEntry.added_at.desc(), ReadingListEntry.id.desc())
    )
    return [PaperView.of(p) for p in rows]


def _entries(user_id: int):  # type: ignore[no-untyped-def]
    return (
        select(Paper, ReadingListEntry.added_at, ReadingListEntry.read_at)
        .join(ReadingListEntry, ReadingListEntry.paper_id == Paper.id)
        .where(ReadingListEntry.user_id == user_id)
        .order_by(ReadingListEntry.added_at.desc(), ReadingListEntry.id.desc())
    )


def reading_items(session: Session, user_id: int) -> list[ReadingItem]:
    """The whole reading list, newest first, with when each paper was saved and read."""
    return [ReadingItem(PaperView.of(p), added, read) for p, added, read in session.execute(_entries(user_id))]


def reading_page(session: Session, user_id: int, page: int, per_page: int) -> ReadingPage:
    """One page of the reading list; a page past the end shows the last one."""
    total, unread = session.execute(
        select(func.count(), func.count().filter(ReadingListEntry.read_at.is_(None)))
        .where(ReadingListEntry.user_id == user_id)
    ).one()
    pages = max(1, -(-int(total) // per_page))
    page = min(max(1, page), pages)
    rows = session.execute(_entries(user_id).offset((page - 1) * per_page).limit(per_page))
    items = [ReadingItem(PaperView.of(p), added, read) for p, added, read in rows]
    return ReadingPage(items, page, pages, int(total), int(unread))


def mark_read(session: Session, user_id: int, raw_id: str, read: bool = True) -> tuple[PaperView, bool]:
    """Mark a paper on the reading list as read (or unread again); returns (paper, changed)."""
    paper = find_paper(session, raw_id)
    entry = session.scalar(
        select(ReadingListEntry).where(ReadingListEntry.user_id == user_id, ReadingListEntry.paper_id == paper.id)
    )
    if entry is None:
        raise PaperbotError(f"`{paper.id}` is not on your reading list: save it first (💾 or `/save`).")
    if (entry.read_at is not None) == read:
        return PaperView.of(paper), False
    entry.read_at = utcnow() if read else None
    return PaperView.of(paper), True


def counts(session: Session, user_id: int) -> dict[str, int]:
    """How many likes, saves and dismissals a member gave, and papers they read."""
    found = {kind: n for kind, n in session.execute(
        select(Feedback.kind, func.count()).where(Feedback.user_id == user_id).group_by(Feedback.kind)
    )}
    read = session.scalar(
        select(func.count()).where(ReadingListEntry.user_id == user_id, ReadingListEntry.read_at.is_not(None))
    )
    return {**{kind: int(found.get(kind, 0)) for kind in KINDS}, "read": int(read or 0)}


def remove_from_reading_list(session: Session, user_id: int, raw_id: str) -> PaperView:
    paper = find_paper(session, raw_id)
    gone = session.execute(
        delete(ReadingListEntry)
        .where(ReadingListEntry.user_id == user_id, ReadingListEntry.paper_id == paper.id)
        .returning(ReadingListEntry.id)
    ).first()
    if gone is None:
        raise PaperbotError(f"`{paper.id}` is not on your reading list.")
    session.execute(
        delete(Feedback).where(Feedback.user_id == user_id, Feedback.paper_id == paper.id, Feedback.kind == "save")
    )
    return PaperView.of(paper)


def forget(session: Session, user_id: int) -> int:
    """Forget a member's likes, saves, dismissals and reading list (what was sent stays sent);
    returns how many pieces of feedback were removed."""
    gone = session.execute(delete(Feedback).where(Feedback.user_id == user_id).returning(Feedback.id)).all()
    session.execute(delete(ReadingListEntry).where(ReadingListEntry.user_id == user_id))
    return len(gone)
