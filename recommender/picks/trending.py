"""What a server found worth keeping lately (its members' likes and saves) and Hugging Face's most upvoted papers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from recommender.storage.models import Feedback, Paper, PaperSource, utcnow
from recommender.views import PaperView, Trending

KEEPS = ("like", "save")


def trending(session: Session, members: list[int], days: int, limit: int = 5) -> Trending:
    """The papers the most members liked or saved in the last `days` days, then the most upvoted on Hugging Face.

    Members count once per paper whether they liked it, saved it or both. Hugging Face's
    days are counted back from the newest day it listed (so a bot that has not
    ingested for a while still shows its last days).
    """
    since = utcnow() - timedelta(days=days)
    # The window's likes and saves are few next to the members (up to 100k): filter those in Python,
    # never a member list in an IN (...) clause.
    wanted = set(members)
    people: dict[str, list[set[int]]] = {}
    for user_id, pid, kind in session.execute(
        select(Feedback.user_id, Feedback.paper_id, Feedback.kind)
        .where(Feedback.kind.in_(KEEPS), Feedback.created_at >= since)
    ):
        if user_id in wanted:
            people.setdefault(pid, [set(), set()])[KEEPS.index(kind)].add(user_id)
    ranked = sorted(people, key=lambda pid: (-len(people[pid][0] | people[pid][1]), pid))[:limit]
    counts = {pid: (len(people[pid][0]), len(people[pid][1])) for pid in ranked}

    newest = session.scalar(select(func.max(PaperSource.listed_on)).where(PaperSource.source == "hf"))
    upvoted_rows: list[tuple[str, int]] = []
    if newest is not None:
        upvotes = func.max(PaperSource.upvotes)
        upvoted_rows = [(pid, int(n)) for pid, n in session.execute(
            select(PaperSource.paper_id, upvotes)
            .where(PaperSource.source == "hf", PaperSource.upvotes.is_not(None),
                   PaperSource.listed_on > newest - timedelta(days=days))
            .group_by(PaperSource.paper_id).order_by(upvotes.desc(), PaperSource.paper_id).limit(limit)
        )]
    shown = set(counts) | {pid for pid, _ in upvoted_rows}
    papers = {p.id: PaperView.of(p) for p in session.scalars(select(Paper).where(Paper.id.in_(shown)))} if shown else {}
    return Trending(
        days,
        [(papers[pid], *counts[pid]) for pid in ranked if pid in papers],
        [(papers[pid], n) for pid, n in upvoted_rows if pid in papers],
        upvotes_known=newest is not None,
    )
