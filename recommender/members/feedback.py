"""Likes, saves, dismissals and the reading list."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from recommender.errors import PaperbotError, UnknownPaper
from recommender.papers import InvalidPaperId, split_arxiv_id, strip_controls
from recommender.storage.models import Feedback, Paper, ReadingListEntry, User, utcnow
from recommender.storage.upsert import insert_ignore
from recommender.views import PaperView

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


def find_paper(session: Session, raw_id: str) -> Paper:
    """Look a paper up by any form of its arXiv id (or its stored id)."""
    text = strip_controls(raw_id or "")  # a NUL or other control character is never part of an id
    if not text:
        raise UnknownPaper("Give a paper id, e.g. `2406.01234`.")
    try:
        pid = split_arxiv_id(text)[0]
    except InvalidPaperId:
        pid = text
    paper = session.get(Paper, pid[:64])
    if paper is None:
        shown = text[:60] + ("…" if len(text) > 60 else "")
        raise UnknownPaper(f"No paper `{shown}` in the library. Check the id (e.g. `2406.01234`).")
    return paper


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
