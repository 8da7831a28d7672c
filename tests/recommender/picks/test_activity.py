"""The activity chart's data: a server's likes and saves week by week, by topic (else arXiv category)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from recommender.errors import PaperbotError
from recommender.members import feedback
from recommender.picks.activity import MAX_WEEKS, OTHER, week_start
from recommender.service import PaperService
from recommender.storage.models import Feedback, Paper, utcnow
from recommender.views import Target

GUILD, OTHER_GUILD = 700, 701
GNN, SPEECH = "graph neural networks", "speech recognition"
NOW = datetime(2026, 12, 3, 15, 0)  # a Thursday: its week started on Monday 30 Nov


def keep(service: PaperService, user: int, pid: str, kind: str, weeks_ago: int, days: int = 0) -> None:
    """A member's like or save, made `weeks_ago` weeks (and `days` days) before NOW."""
    with service.db.session() as s:
        feedback.record(s, user, pid, kind)
        s.execute(update(Feedback).where(Feedback.user_id == user, Feedback.paper_id == pid, Feedback.kind == kind)
                  .values(created_at=NOW - timedelta(weeks=weeks_ago, days=days)))


def unrelated(service: PaperService, n: int) -> list[str]:
    """Papers that share no word with either topic (so no topic can match them), with a primary category."""
    words = ("graph", "neural", "network", "speech", "recognition")
    with service.db.session() as s:
        papers = s.scalars(select(Paper).where(Paper.primary_category.is_not(None)).order_by(Paper.id)).all()
        return [p.id for p in papers if not any(w in f"{p.title} {p.abstract}".lower() for w in words)][:n]


def by_label(data) -> dict[str, list[int]]:  # type: ignore[no-untyped-def]
    return {s.label: s.counts for s in data.series}


def test_members_keeps_week_by_week_under_their_topics(service: PaperService) -> None:
    gnn = [r.paper.id for r in service.search(GNN, limit=3)]
    speech = [r.paper.id for r in service.search(SPEECH, limit=2)]
    (loner,) = unrelated(service, 1)
    for user in (1, 2, 3):
        service.member_seen(user, GUILD)
    service.member_seen(9, OTHER_GUILD)
    service.subscribe(Target.user(1, GUILD), GNN)
    service.subscribe(Target.user(2, GUILD), SPEECH)
    keep(service, 1, gnn[0], "like", 0)
    keep(service, 1, gnn[0], "save", 0)  # a like and a save of one paper: one keep
    keep(service, 2, gnn[0], "like", 1)
    keep(service, 1, gnn[1], "save", 3)
    keep(service, 2, speech[0], "like", 1)
    keep(service, 3, speech[1], "save", 2)  # member 3 follows nothing: the server's topics still label it
    keep(service, 3, loner, "like", 0)  # no topic matches: its arXiv category
    keep(service, 1, gnn[2], "like", 9)  # before the 4 weeks
    keep(service, 9, gnn[2], "like", 0)  # another server's member

    data = service.activity(GUILD, 4, now=NOW)
    assert data.weeks == [week_start(NOW.date()) - timedelta(weeks=w) for w in (3, 2, 1, 0)]
    assert data.weeks[-1].isoformat() == "2026-11-30" and data.weeks[-1].weekday() == 0
    with service.db.session() as s:
        category = s.get(Paper, loner).primary_category
    assert by_label(data) == {GNN: [1, 0, 1, 1], SPEECH: [0, 1, 1, 0], category: [0, 0, 0, 1]}
    assert [s.kind for s in data.series] == ["topic", "topic", "category"]  # the most kept first
    assert (data.likes, data.saves, data.members, data.total) == (4, 3, 3, 6)

    assert by_label(service.activity(GUILD, 10, now=NOW))[GNN] == [1, 0, 0, 0, 0, 0, 1, 0, 1, 1]
    assert service.activity(OTHER_GUILD, 4, now=NOW).total == 1  # a server sees its own members only
    assert service.activity(None, 4, now=NOW).total == 7  # the whole install (the CLI without --guild)


def test_a_keep_on_sunday_night_and_monday_morning_are_two_weeks(service: PaperService) -> None:
    ids = [r.paper.id for r in service.search(GNN, limit=2)]
    service.member_seen(1, GUILD)
    monday = datetime.combine(week_start(NOW.date()), datetime.min.time())
    for pid, at in ((ids[0], monday - timedelta(minutes=1)), (ids[1], monday)):
        with service.db.session() as s:
            feedback.record(s, 1, pid, "like")
            s.execute(update(Feedback).where(Feedback.paper_id == pid).values(created_at=at))
    data = service.activity(GUILD, 2, now=NOW)
    assert [sum(s.counts[w] for s in data.series) for w in (0, 1)] == [1, 1]
    assert data.members == 1 and all(s.kind == "category" for s in data.series)  # no topic followed at all


def test_the_channels_own_topics_come_first_and_the_rest_is_other(service: PaperService) -> None:
    service.configure_digest(GUILD, channel_id=55)
    service.subscribe(Target.channel(55, GUILD), "Graph Neural Networks")
    service.subscribe(Target.user(1, GUILD), GNN)  # the same topic: the channel's spelling names it
    papers = unrelated(service, 3000)
    with service.db.session() as s:
        cats = {p.id: p.primary_category for p in s.scalars(select(Paper).where(Paper.id.in_(papers)))}
    distinct: dict[str, str] = {}
    for pid in papers:
        distinct.setdefault(cats[pid], pid)
    assert len(distinct) >= 7, "the demo corpus spans several categories"
    chosen = list(distinct.values())[:7]
    service.member_seen(1, GUILD)
    for i, pid in enumerate(chosen):  # 7 categories, the first kept most
        for user in range(1, 2 + (i == 0) * 3):
            service.member_seen(user, GUILD)
            keep(service, user, pid, "like", 0)
    gnn = service.search(GNN, limit=1)[0].paper.id
    keep(service, 1, gnn, "save", 1)

    data = service.activity(GUILD, 3, now=NOW)
    labels = [s.label for s in data.series]
    assert len(labels) == 6 and labels[-1] == OTHER and data.series[-1].kind == "other"
    assert labels[0] == cats[chosen[0]] and data.series[0].counts == [0, 0, 4]
    assert data.total == 4 + 6 + 1  # nothing lost in "other"
    assert [(s.label, s.counts) for s in data.series if s.kind == "topic"] == [("Graph Neural Networks", [0, 1, 0])]


def test_no_activity_and_weeks_out_of_range(service: PaperService) -> None:
    data = service.activity(GUILD, 8)
    assert data.total == 0 and data.series == [] and len(data.weeks) == 8 and data.members == 0
    assert data.weeks[-1] == week_start(utcnow().date())
    for weeks in (0, MAX_WEEKS + 1):
        with pytest.raises(PaperbotError, match="weeks must be between 1 and"):
            service.activity(GUILD, weeks)
