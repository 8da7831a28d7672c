"""The five-paper start: after a member's first topic, five papers to rate, then how their picks changed.

The five are chosen by `ranking/starter.py` (one per sub-area of the topic's best
candidates); the member's picks at that moment are kept, so once the five are rated
the bot can say what the ratings changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.members.feedback import ensure_user
from recommender.ranking.context import ScoringContext
from recommender.ranking.profile import ProfileVectors
from recommender.ranking.starter import choose
from recommender.storage.models import Feedback, Onboarding, Paper, utcnow
from recommender.storage.upsert import insert_ignore
from recommender.views import PaperView, Recommendation


@dataclass
class Start:
    """A member's five-paper start: the papers, how each was rated, and (once all are) the picks then."""

    papers: list[PaperView]
    rated: dict[str, str] = field(default_factory=dict)  # paper id -> like, save or dismiss
    before: list[str] = field(default_factory=list)  # the picks (ids) when the five were offered
    after: list[Recommendation] | None = None  # the picks now, once all five are rated
    first_report: bool = False  # the change is reported for the first time

    @property
    def done(self) -> bool:
        return bool(self.papers) and all(p.id in self.rated for p in self.papers)

    def new_picks(self) -> list[Recommendation]:
        return [r for r in self.after or [] if r.paper.id not in self.before]


def started(session: Session, user_id: int) -> bool:
    return session.get(Onboarding, user_id) is not None


def offer(
    session: Session, ctx: ScoringContext, vec: ProfileVectors, user_id: int, exclude: set[str], picks: list[str],
) -> Start | None:
    """Choose and record a member's five (once in their life: None when offered before or nothing fits)."""
    if started(session, user_id) or vec.empty:
        return None
    keep = np.array([str(pid) not in exclude for pid in ctx.index.ids], dtype=bool)
    rows = choose(ctx, vec, np.flatnonzero(keep))
    if rows.size == 0:
        return None
    ids = [str(ctx.index.ids[r]) for r in rows]
    ensure_user(session, user_id)
    if not insert_ignore(session, Onboarding, ["user_id"], user_id=user_id, paper_ids=ids, picks_before=picks):
        return None  # a concurrent first /subscribe got there first
    return Start(_views(session, ids), before=picks)


def _views(session: Session, ids: list[str]) -> list[PaperView]:
    found = {p.id: PaperView.of(p) for p in session.scalars(select(Paper).where(Paper.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def status(session: Session, user_id: int) -> Start | None:
    """The member's start as it stands (None when they never had one)."""
    row = session.get(Onboarding, user_id)
    if row is None:
        return None
    query = select(Feedback.paper_id, Feedback.kind).where(
        Feedback.user_id == user_id, Feedback.paper_id.in_(row.paper_ids)
    )
    rated = {pid: kind for pid, kind in session.execute(query)}
    return Start(_views(session, row.paper_ids), rated, list(row.picks_before), first_report=row.reported_at is None)


def mark_reported(session: Session, user_id: int) -> bool:
    """Note that the change was told; True the first time."""
    row = session.get(Onboarding, user_id)
    if row is None or row.reported_at is not None:
        return False
    row.reported_at = utcnow()
    return True
