"""What a server saved and liked week by week, by topic: the data of the activity chart.

Each kept paper (a member's like or save; both count once) goes to the topic it
matches best among the server's topics: the digest channel's own topics first,
then those its keeping members follow. A match is the cosine of the paper's TF-IDF
vector and the topic's (the index's vocabulary), at least MIN_MATCH. A paper no
topic matches goes to its primary arXiv category, so nothing is left out. The
TOP labels kept most are shown; the rest are summed as "other".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from typing import TypeVar

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.ranking.index import PaperIndex
from recommender.ranking.text import topic_key
from recommender.storage.models import Feedback, Paper, Subscription, utcnow
from recommender.views import Activity, ActivitySeries

KEEPS = ("like", "save")
MAX_WEEKS = 26
TOP = 5  # labels shown; the rest are "other"
MIN_MATCH = 0.05  # the least cosine for a paper to count under a topic
MAX_TOPICS = 50  # candidate topics at most (the channel's, then the most followed)
CHUNK = 500  # ids per IN (...) clause
OTHER = "other"
UNCATEGORISED = "uncategorised"

T = TypeVar("T")


def week_start(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.weekday())


def _chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _candidate_topics(session: Session, guild_id: int | None, keepers: set[int]) -> list[str]:
    """The server's topics: its channels' own (all servers' with None), then its keeping members' by followers."""
    channel = select(Subscription.topic).where(Subscription.target_kind == "channel").order_by(Subscription.id)
    if guild_id is not None:
        channel = channel.where(Subscription.guild_id == guild_id)
    followers: Counter[str] = Counter()
    spelled: dict[str, str] = {}
    for batch in _chunks(sorted(keepers)):
        for topic in session.scalars(select(Subscription.topic).where(
                Subscription.target_kind == "user", Subscription.target_id.in_(batch))):
            followers[topic_key(topic)] += 1
            spelled.setdefault(topic_key(topic), topic)
    out: dict[str, str] = {}
    for topic in session.scalars(channel):
        out.setdefault(topic_key(topic), topic)
    for key, _ in sorted(followers.items(), key=lambda kv: (-kv[1], kv[0])):
        out.setdefault(key, spelled[key])
    return list(out.values())[:MAX_TOPICS]


def _labels(session: Session, index: PaperIndex | None, papers: set[str], topics: list[str]) -> dict[str, tuple[str, str]]:
    """Each paper's (label, kind): the best-matching topic, else its primary arXiv category."""
    labels: dict[str, tuple[str, str]] = {}
    rows = {pid: index.row[pid] for pid in papers if index is not None and pid in index.row}
    if index is not None and rows and topics:
        pids = sorted(rows)
        sims = (index.matrix[[rows[p] for p in pids]] @ index.embed(topics).T).toarray()
        best = sims.argmax(axis=1)  # ties go to the first topic: the channel's own come first
        for i, pid in enumerate(pids):
            if sims[i, best[i]] >= MIN_MATCH:
                labels[pid] = (topics[int(best[i])], "topic")
    rest = sorted(papers - set(labels))
    for batch in _chunks(rest):
        for pid, primary, categories in session.execute(
                select(Paper.id, Paper.primary_category, Paper.categories).where(Paper.id.in_(batch))):
            labels[pid] = (primary or (categories[0] if categories else UNCATEGORISED), "category")
    return labels


def activity(
    session: Session, members: list[int] | None, guild_id: int | None, index: PaperIndex | None, weeks: int,
    now: datetime | None = None, top: int = TOP,
) -> Activity:
    """The members' likes and saves over the last `weeks` weeks (the current one included), by topic.

    `members` None: every member (the whole install, with every channel's topics).
    """
    first = week_start((now or utcnow()).date()) - timedelta(weeks=weeks - 1)
    starts = [first + timedelta(weeks=i) for i in range(weeks)]
    wanted = None if members is None else set(members)
    kept: dict[tuple[int, str], datetime] = {}  # (member, paper) -> their first keep in the window
    kinds: Counter[str] = Counter()
    for user_id, pid, kind, at in session.execute(
        select(Feedback.user_id, Feedback.paper_id, Feedback.kind, Feedback.created_at)
        .where(Feedback.kind.in_(KEEPS), Feedback.created_at >= datetime.combine(first, time()))
    ):
        if wanted is not None and user_id not in wanted:  # filtered here, never a member list in IN (...)
            continue
        kinds[kind] += 1
        if (user_id, pid) not in kept or at < kept[user_id, pid]:
            kept[user_id, pid] = at
    keepers = {user for user, _ in kept}
    labels = _labels(session, index, {pid for _, pid in kept}, _candidate_topics(session, guild_id, keepers))
    counts: dict[tuple[str, str], np.ndarray] = {}
    for (_, pid), at in kept.items():
        week = min((at.date() - first).days // 7, weeks - 1)
        counts.setdefault(labels.get(pid, (UNCATEGORISED, "category")), np.zeros(weeks, dtype=int))[week] += 1
    ranked = sorted(counts, key=lambda k: (-int(counts[k].sum()), k[0]))
    shown, rest = (ranked, []) if len(ranked) <= top + 1 else (ranked[:top], ranked[top:])
    series = [ActivitySeries(label, kind, counts[label, kind].tolist()) for label, kind in shown]
    if rest:
        series.append(ActivitySeries(OTHER, "other", sum((counts[k] for k in rest), np.zeros(weeks, dtype=int)).tolist()))
    return Activity(starts, series, kinds["like"], kinds["save"], len(keepers))
