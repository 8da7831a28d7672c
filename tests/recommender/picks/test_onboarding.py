"""The five-paper start through the service: offered once, after the first topic; rated; the change told once."""

from __future__ import annotations

from recommender.service import PaperService
from recommender.views import Target

USER = 61


def test_five_papers_once_then_what_changed(service: PaperService) -> None:
    assert service.start_offer(USER) is None, "no topic, nothing to choose from"
    service.subscribe(Target.user(USER), "speech recognition")
    start = service.start_offer(USER)
    assert start is not None and len(start.papers) == 5 and len({p.id for p in start.papers}) == 5
    assert all("speech" in f"{p.title} {p.abstract}".lower() or "asr" in p.abstract.lower() for p in start.papers)
    assert start.before == [r.paper.id for r in service.recommend(USER).picks]
    assert service.start_offer(USER) is None, "offered once in a member's life"

    for paper in start.papers[:4]:
        service.feedback(USER, paper.id, "like")
    status = service.start_status(USER)
    assert status is not None and not status.done and len(status.rated) == 4
    assert service.start_status(USER, report=True) is not None and service.start_status(USER).after is None
    service.feedback(USER, start.papers[4].id, "dismiss")
    told = service.start_status(USER, report=True)
    assert told is not None and told.done and told.after is not None
    assert set(r.paper.id for r in told.after).isdisjoint(p.id for p in start.papers), "rated papers are not picked"
    assert told.new_picks() == [r for r in told.after if r.paper.id not in start.before]
    assert service.start_status(USER, report=True) is None, "the change is told once"
    assert service.start_status(USER, picks=True).after is not None
