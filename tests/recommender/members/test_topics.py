"""Subscriptions: subscribe, unsubscribe, list; validation and limits."""

from __future__ import annotations

import pytest

from recommender.errors import PaperbotError
from recommender.members.topics import MAX_TOPICS
from recommender.ranking.text import MAX_TOPIC, InvalidTopic
from recommender.service import PaperService
from recommender.views import Target

ME = Target.user(42, guild_id=7)


def test_subscribe_list_unsubscribe(bare_service: PaperService) -> None:
    assert bare_service.topics(ME) == []
    assert bare_service.subscribe(ME, "graph neural networks") == ("graph neural networks", True)
    assert bare_service.subscribe(ME, "diffusion models") == ("diffusion models", True)
    assert bare_service.topics(ME) == ["graph neural networks", "diffusion models"]  # in subscription order

    assert bare_service.unsubscribe(ME, "graph neural networks") == "graph neural networks"
    assert bare_service.topics(ME) == ["diffusion models"]


def test_duplicates_are_case_and_space_insensitive(bare_service: PaperService) -> None:
    assert bare_service.subscribe(ME, "Graph Neural Networks") == ("Graph Neural Networks", True)
    # The stored spelling is kept; a re-subscription in another spelling is a no-op.
    assert bare_service.subscribe(ME, "  graph   neural NETWORKS ") == ("Graph Neural Networks", False)
    assert bare_service.topics(ME) == ["Graph Neural Networks"]
    assert bare_service.unsubscribe(ME, "GRAPH neural networks") == "Graph Neural Networks"
    assert bare_service.topics(ME) == []


def test_whitespace_is_tidied(bare_service: PaperService) -> None:
    assert bare_service.subscribe(ME, "\tdiffusion \n  models  ")[0] == "diffusion models"


def test_targets_are_separate(bare_service: PaperService) -> None:
    other = Target.user(43, guild_id=7)
    channel = Target.channel(42, guild_id=7)  # same number, but a channel
    bare_service.subscribe(ME, "graph neural networks")
    bare_service.subscribe(channel, "speech recognition")
    assert bare_service.topics(other) == []
    assert bare_service.topics(channel) == ["speech recognition"]
    assert bare_service.topics(ME) == ["graph neural networks"]


def test_ten_thousand_character_topic_is_a_clear_error(bare_service: PaperService) -> None:
    topic = ("graph " * 1666 + "nets")
    assert len(topic) == 10_000
    with pytest.raises(InvalidTopic) as caught:
        bare_service.subscribe(ME, topic)
    message = str(caught.value)
    assert "10,000 characters" in message
    assert f"at most {MAX_TOPIC}" in message
    assert len(message) < 300  # the message does not echo the topic
    assert bare_service.topics(ME) == []


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [("", "empty"), ("   \n\t ", "empty"), ("x", "at least two characters"), ("123 456", "one letter"), ("!!", "one letter")],
)
def test_unusable_topics_are_clear_errors(bare_service: PaperService, raw: str, fragment: str) -> None:
    with pytest.raises(InvalidTopic, match=fragment):
        bare_service.subscribe(ME, raw)


def test_unsubscribe_unknown_topic_lists_the_topics(bare_service: PaperService) -> None:
    with pytest.raises(PaperbotError, match="none yet"):
        bare_service.unsubscribe(ME, "graph neural networks")
    bare_service.subscribe(ME, "graph neural networks")
    bare_service.subscribe(ME, "diffusion models")
    with pytest.raises(PaperbotError) as caught:
        bare_service.unsubscribe(ME, "protein folding")
    message = str(caught.value)
    assert "`protein folding`" in message
    assert "`graph neural networks`" in message and "`diffusion models`" in message
    assert bare_service.topics(ME) == ["graph neural networks", "diffusion models"]


def test_unsubscribe_with_a_huge_topic_keeps_the_message_short(bare_service: PaperService) -> None:
    with pytest.raises(PaperbotError) as caught:
        bare_service.unsubscribe(ME, "z" * 10_000)
    assert len(str(caught.value)) < 300


def test_max_topics(bare_service: PaperService) -> None:
    for n in range(MAX_TOPICS):
        bare_service.subscribe(ME, f"topic number {n}")
    with pytest.raises(PaperbotError, match=f"{MAX_TOPICS} topics"):
        bare_service.subscribe(ME, "one too many")
    # Re-subscribing to a followed topic at the limit is still a harmless no-op ...
    assert bare_service.subscribe(ME, "TOPIC NUMBER 3") == ("topic number 3", False)
    # ... the limit is per target ...
    assert bare_service.subscribe(Target.user(99), "one too many")[1] is True
    # ... and unsubscribing makes room again.
    bare_service.unsubscribe(ME, "topic number 0")
    assert bare_service.subscribe(ME, "one too many")[1] is True
    assert len(bare_service.topics(ME)) == MAX_TOPICS


def test_subscribing_registers_the_user(bare_service: PaperService) -> None:
    bare_service.subscribe(ME, "graph neural networks")
    stats = bare_service.stats()
    assert (stats["users"], stats["subscriptions"]) == (1, 1)


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


def test_a_nul_in_a_topic_to_unsubscribe_is_no_database_error(bare_service: PaperService) -> None:
    target = Target.user(1, 1)
    bare_service.subscribe(target, "graph neural networks")
    assert bare_service.unsubscribe(target, "graph\x00 neural networks") == "graph neural networks"
    with pytest.raises(PaperbotError, match="You don't follow"):
        bare_service.unsubscribe(target, "\x00\ud800")


def test_a_new_digest_channel_takes_the_old_ones_topics(service: PaperService) -> None:
    service.configure_digest(9, channel_id=90)
    service.subscribe(Target.channel(90, 9), "graph neural networks")
    service.subscribe(Target.channel(90, 9), "speech recognition")
    service.subscribe(Target.channel(91, 9), "Speech Recognition")  # the new one follows it already
    service.configure_digest(9, channel_id=91)
    assert service.topics(Target.channel(90, 9)) == []
    assert sorted(service.topics(Target.channel(91, 9))) == ["Speech Recognition", "graph neural networks"]
    with pytest.raises(PaperbotError, match="The digest channel does not follow `nope`"):
        service.unsubscribe(Target.channel(91, 9), "nope")
def test_popular_topics_of_a_server(bare_service: PaperService) -> None:
    for user, topics in ((1, ["graph neural networks", "diffusion"]), (2, ["Graph Neural Networks"]), (3, ["diffusion"]),
                         (4, ["graph neural networks"])):
        for topic in topics:
            bare_service.subscribe(Target.user(user, 10), topic)
    bare_service.subscribe(Target.user(5, 20), "knitting")  # another server
    bare_service.subscribe(Target.channel(30, 10), "robotics")  # a channel's topic: not a member's
    popular = bare_service.popular_topics(10)
    assert [(t.lower(), n) for t, n in popular] == [("graph neural networks", 3), ("diffusion", 2)]
    assert [t for t, _ in bare_service.popular_topics(10, "DIFF")] == ["diffusion"]
    assert bare_service.popular_topics(10, "%") == [] and bare_service.popular_topics(99) == []
