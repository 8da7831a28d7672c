"""Dedupe keys: provisional ids from a DOI or the title, DOIs cleaned, titles too generic to match on."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from recommender.ingest.identity import (
    ID_LIMIT,
    clean_doi,
    matchable_title,
    provisional_id,
    title_key,
)


def test_provisional_ids_come_from_the_doi_else_the_title() -> None:
    assert provisional_id(" 10.1234/GNN.2025 ", "ignored") == "doi:10.1234/gnn.2025"
    long_doi = "10.1234/" + "x" * 100
    assert provisional_id(long_doi, "t").startswith("doi:") and len(provisional_id(long_doi, "t")) <= ID_LIMIT
    assert provisional_id(long_doi, "t") != provisional_id(long_doi + "y", "t")
    by_title = provisional_id(None, "Deep Residual Learning for Image Recognition")
    assert by_title.startswith("title:") and len(by_title) <= ID_LIMIT
    assert by_title == provisional_id("", "deep residual learning, for image recognition!")  # normalised title


@given(st.text(min_size=1, max_size=300))
def test_every_provisional_id_fits_the_column_and_is_stable(text: str) -> None:
    for pid in (provisional_id(text, text), provisional_id(None, text)):
        assert len(pid) <= ID_LIMIT and pid == provisional_id(text if pid.startswith("doi:") else None, text)


def test_dois_are_cleaned_or_refused() -> None:
    for raw in ("https://doi.org/10.1/X", "http://dx.doi.org/10.1/X", "doi:10.1/X", " 10.1/X trailing words"):
        assert clean_doi(raw) == "10.1/x"
    for raw in (None, "", "not a doi", "10.1234", "11.1/x", "10.1/" + "x" * 300):
        assert clean_doi(raw) is None


def test_generic_titles_are_not_matched_on() -> None:
    assert not matchable_title(title_key("Introduction"))
    assert not matchable_title(title_key("Supplementary material"))  # two words, too short
    assert matchable_title(title_key("Deep Residual Learning for Image Recognition"))
    assert len(title_key("word " * 200)) == 300
