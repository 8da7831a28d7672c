"""How index terms are written in a paper (for explanations)."""

from __future__ import annotations

from recommender.ranking.text import as_written

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
