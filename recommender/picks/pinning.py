"""A member's own rules over their picks: muted papers are left out, followed authors' papers pinned on top
(a digest channel has rules too: its own mutes, `/digest mute`).

Both apply to `/recommend` and the DM digest (picks/recommend.py, and the batched DM
digests in service.py) before and after ranking: mutes remove candidates before the
ranking fills the list; papers by a followed author are pinned whatever their score.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.members.authors import Followed, follows, follows_of, parse, same_person
from recommender.members.mutes import Mutes, channel_mutes, list_mutes, mutes_of
from recommender.ranking.context import ScoringContext
from recommender.ranking.profile import ProfileVectors
from recommender.ranking.ranker import explain
from recommender.storage.models import Paper
from recommender.views import PaperView, Recommendation

PINNED = "✍ followed author"
CHUNK = 2000  # ids per IN (...) query


@dataclass
class Personal:
    """A member's follows and mutes."""

    follows: list[Followed] = field(default_factory=list)
    mutes: Mutes = field(default_factory=Mutes)

    @property
    def empty(self) -> bool:
        return not self.follows and not self.mutes


@dataclass
class Screened:
    """What a member's rules make of a list of candidates."""

    muted: set[str] = field(default_factory=set)
    pinned: list[tuple[str, str]] = field(default_factory=list)  # (paper id, followed name), newest first


def personal(session: Session, user_id: int) -> Personal:
    return Personal(follows(session, user_id), list_mutes(session, user_id))


def of_channel(session: Session, channel_id: int) -> Personal:
    """A digest channel's rules: its own mutes (`/digest mute`), no followed authors."""
    return Personal(mutes=channel_mutes(session, channel_id))


def personal_many(session: Session, user_ids: list[int]) -> dict[int, Personal]:
    fol, mut = follows_of(session, user_ids), mutes_of(session, user_ids)
    return {uid: Personal(fol.get(uid, []), mut[uid]) for uid in user_ids}


def _papers(session: Session, ids: list[str]) -> list[Paper]:
    out: list[Paper] = []
    for start in range(0, len(ids), CHUNK):
        out += session.scalars(select(Paper).where(Paper.id.in_(ids[start : start + CHUNK]))).all()
    return out


def papers_of(session: Session, ids: list[str]) -> dict[str, Paper]:
    """The candidates' records, loaded once for several members (the batched DM digests)."""
    return {p.id: p for p in _papers(session, ids)}


def screen(session: Session, ids: list[str], rules: Personal, loaded: dict[str, Paper] | None = None) -> Screened:
    """Which candidates a member muted, and which a followed author wrote (newest first)."""
    found = Screened()
    if rules.empty or not ids:
        return found
    pinned: list[tuple[Paper, str]] = []
    papers = [loaded[i] for i in ids if i in loaded] if loaded is not None else _papers(session, ids)
    for paper in papers:
        authors = paper.authors or []
        if rules.mutes and rules.mutes.reason(paper.title, paper.abstract or "", authors, paper.categories or []):
            found.muted.add(paper.id)
            continue
        names = [n for w in authors if (n := parse(w)) is not None]
        hit = next((f for f in rules.follows if any(same_person(f.parsed, n) for n in names)), None)
        if hit is not None:
            pinned.append((paper, hit.name))
    pinned.sort(key=lambda x: (x[0].published is not None, x[0].published, x[0].id), reverse=True)
    found.pinned = [(p.id, name) for p, name in pinned]
    return found


def without_muted(ctx: ScoringContext, rows: np.ndarray, muted: set[str]) -> np.ndarray:
    if not muted or rows.size == 0:
        return rows
    keep = np.array([str(pid) not in muted for pid in ctx.index.ids[rows]], dtype=bool)
    return rows[keep]


def pin(
    session: Session, ctx: ScoringContext, vec: ProfileVectors | None, pinned: list[tuple[str, str]],
    picks: list[Recommendation], limit: int,
) -> list[Recommendation]:
    """The followed authors' papers first (marked, with their own score and terms), then the other picks."""
    if not pinned:
        return picks
    chosen = pinned[:limit]
    rows = {pid: ctx.index.row[pid] for pid, _ in chosen if pid in ctx.index.row}
    papers = {p.id: PaperView.of(p) for p in _papers(session, [pid for pid, _ in chosen])}
    ranked = {r.paper.id: r for r in picks}
    out: list[Recommendation] = []
    for pid, name in chosen:
        paper = papers.get(pid)
        if paper is None:
            continue
        how = explain(ctx, vec, rows[pid]) if vec is not None and not vec.empty and pid in rows else None
        before = ranked.get(pid)
        out.append(Recommendation(
            paper, how.score if how else 0.0, f"{PINNED}: {name}",
            liked_by=before.liked_by if before else 0,
        ))
    ids = {r.paper.id for r in out}
    return (out + [r for r in picks if r.paper.id not in ids])[: max(limit, len(out))]
