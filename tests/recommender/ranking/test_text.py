"""Topic text: cleaning, keys, limits, and the text a paper is indexed by."""

from __future__ import annotations

import pytest

from recommender.ranking.text import MAX_TOPIC, InvalidTopic, clean_topic, topic_key


def test_topic_length_limit_is_exact() -> None:
    assert clean_topic("a" * MAX_TOPIC) == "a" * MAX_TOPIC
    with pytest.raises(InvalidTopic):
        clean_topic("a" * (MAX_TOPIC + 1))
    assert clean_topic("RL") == "RL"


def test_topic_key() -> None:
    assert topic_key("  GNNs \t for   Molecules ") == topic_key("gnns for molecules") == "gnns for molecules"
