"""Topic text: cleaning, keys, limits, and the text a paper is indexed by."""

from __future__ import annotations

import pytest

from recommender.ranking.text import (
    MAX_TOPIC,
    InvalidTopic,
    as_written,
    clean_topic,
    topic_key,
    written_forms,
)


def test_topic_length_limit_is_exact() -> None:
    assert clean_topic("a" * MAX_TOPIC) == "a" * MAX_TOPIC
    with pytest.raises(InvalidTopic):
        clean_topic("a" * (MAX_TOPIC + 1))
    assert clean_topic("RL") == "RL"


def test_topic_key() -> None:
    assert topic_key("  GNNs \t for   Molecules ") == topic_key("gnns for molecules") == "gnns for molecules"


TEXT = "Zero-shot object customisation with diffusion: learning of graphs, test-time adaptation."


def test_a_compound_is_shown_as_written() -> None:
    assert as_written("zero shot", TEXT) == "zero-shot"
    assert as_written("time adaptation", TEXT) is None  # the tail of "test-time adaptation"
    assert as_written("test time", TEXT) == "test-time"
    assert as_written("adaptation", TEXT) == "adaptation"


def test_word_pairs_the_paper_never_writes_are_not_shown() -> None:
    assert as_written("shot object", TEXT) is None  # "zero-shot object": not a phrase of its own
    assert as_written("learning graphs", TEXT) is None  # joined across the stop word "of"
    assert as_written("object customisation", TEXT) == "object customisation"


def test_many_terms_in_one_text_are_written_as_each_alone() -> None:
    terms = ["zero shot", "time adaptation", "test time", "adaptation", "graphs", "customisation diffusion", "cafe"]
    text = TEXT + " Caf\u00e9 {talk} \\emph{x}"
    assert written_forms(terms, text) == [as_written(t, text) for t in terms]
    assert written_forms(terms, text)[-1] == "cafe"  # accents as the index reads them
