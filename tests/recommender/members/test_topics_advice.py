"""Subscribing with the library's advice: warnings inform, only a topic nothing can match is refused."""

from __future__ import annotations

import pytest

from recommender.ranking.text import InvalidTopic
from recommender.service import PaperService
from recommender.views import Target

ME = Target.user(42, guild_id=7)


def test_a_weak_topic_is_subscribed_with_a_warning(service: PaperService) -> None:
    advice = service.topic_advice("domian adaptation")
    assert advice is not None and advice.weak
    assert advice.unknown == ["domian"] and advice.suggestions[0] == "domain adaptation"
    assert advice.library == len(service.index() or [])
    assert service.subscribe(ME, "domian adaptation") == ("domian adaptation", True)  # it informs, it does not block
    assert service.topics(ME) == ["domian adaptation"]


def test_a_topic_nothing_can_match_is_refused_with_suggestions(service: PaperService) -> None:
    with pytest.raises(InvalidTopic) as caught:
        service.subscribe(ME, "knowlege distilation")
    assert "`knowledge distillation`" in str(caught.value)
    assert "3,000 papers" in str(caught.value)
    assert service.topics(ME) == []


def test_an_acronym_topic_recommends_papers_on_its_long_form(service: PaperService) -> None:
    service.subscribe(ME, "RAG")
    result = service.recommend(ME.id)
    assert result.picks
    texts = [(r.paper.title + " " + r.paper.abstract).lower() for r in result.picks]
    assert all("retriev" in t for t in texts)


def test_an_empty_library_accepts_any_topic(bare_service: PaperService) -> None:
    assert bare_service.topic_advice("knowlege distilation") is None
    assert bare_service.subscribe(ME, "knowlege distilation")[1] is True
