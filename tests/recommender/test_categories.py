"""arXiv category names offered as topics."""

from __future__ import annotations

from recommender.categories import ARXIV_CATEGORIES, matching_categories


def test_codes_and_names_match_and_names_are_offered_once() -> None:
    assert ("cs.CL", "Computation and Language") in matching_categories("language")
    assert matching_categories("cs.cv") == [("cs.CV", "Computer Vision and Pattern Recognition")]
    learning = [name for _, name in matching_categories("machine learning")]
    assert learning == ["Machine Learning"]  # cs.LG and stat.ML: one name
    assert len(matching_categories("")) == 25 and len(matching_categories("", limit=100)) < len(ARXIV_CATEGORIES)
    assert matching_categories("knitting") == []
    assert all(len(f"{name.lower()} · arXiv {code}") <= 100 for code, name in ARXIV_CATEGORIES.items())
