"""/trending: what a server's members liked and saved most lately, and Hugging Face's most upvoted papers."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update

from recommender.picks.trending import trending
from recommender.service import PaperService
from recommender.storage.models import Feedback, PaperSource, utcnow

GUILD = 500


def upvoted(service: PaperService, pid: str, upvotes: int, listed_on: date) -> None:
    with service.db.session() as s:
        s.add(PaperSource(paper_id=pid, source="hf", external_id=pid, upvotes=upvotes, listed_on=listed_on))


def test_trending_counts_members_of_the_server_in_the_window(service: PaperService) -> None:
    ids = [r.paper.id for r in service.search("graph neural networks", limit=4)]
    for user in (1, 2, 3):
        service.member_seen(user, GUILD)
    service.member_seen(4, GUILD + 1)
    for user, pid, kind in ((1, ids[0], "like"), (1, ids[0], "save"), (2, ids[0], "like"), (3, ids[1], "save"),
                            (4, ids[2], "like"), (4, ids[2], "save"), (2, ids[3], "like")):
        service.feedback(user, pid, kind)
    with service.db.session() as s:  # member 2's like of the last paper was 10 days ago
        s.execute(update(Feedback).where(Feedback.paper_id == ids[3]).values(created_at=utcnow() - timedelta(days=10)))
    result = service.trending(GUILD, 7)
    assert [(p.id, likes, saves) for p, likes, saves in result.members] == [(ids[0], 2, 1), (ids[1], 0, 1)]
    assert ids[3] in [p.id for p, _, _ in service.trending(GUILD, 30).members]
    assert not result.upvotes_known and result.upvoted == []
    with service.db.session() as s:
        assert trending(s, [], 7).members == []  # a server nobody used yet


def test_trending_upvotes_are_counted_back_from_huggingfaces_newest_day(service: PaperService) -> None:
    ids = [r.paper.id for r in service.search("language models", limit=3)]
    newest = date(2026, 6, 12)
    upvoted(service, ids[0], 40, newest)
    upvoted(service, ids[1], 90, newest - timedelta(days=1))
    upvoted(service, ids[2], 500, newest - timedelta(days=9))  # too old for a week
    week = service.trending(GUILD, 7)
    assert week.upvotes_known and [(p.id, n) for p, n in week.upvoted] == [(ids[1], 90), (ids[0], 40)]
    assert [p.id for p, _ in service.trending(GUILD, 1).upvoted] == [ids[0]]
    assert [p.id for p, _ in service.trending(GUILD, 30).upvoted][0] == ids[2]
