"""The DTOs adapters get: targets, papers, picks with their "why", digests as JSON."""

from __future__ import annotations

import pytest

import json
from datetime import date

from sqlalchemy import select

from recommender.service import PaperService
from recommender.storage.models import Paper
from recommender.views import PaperView, Recommendation, Target, match_percent


def view(**overrides: object) -> PaperView:
    values: dict = dict(id="2401.00001", title="Graph neural networks", abstract="GNNs.", authors=["Ada Lovelace"],
                        categories=["cs.LG"], published=date(2026, 7, 1), version=2,
                        links={"abs": "https://arxiv.org/abs/2401.00001v2"})
    values.update(overrides)
    return PaperView(**values)


def test_targets() -> None:
    assert Target.user(7) == Target("user", 7, None)
    assert Target.user(7, 5) == Target("user", 7, 5)
    assert Target.channel(9, 5) == Target("channel", 9, 5)
    assert Target.user(7) != Target.channel(7, None)


def test_a_paper_view_of_a_stored_paper(service: PaperService) -> None:
    with service.db.session() as s:
        paper = s.scalars(select(Paper).limit(1)).one()
        shown = PaperView.of(paper)
        assert (shown.id, shown.title, shown.authors, shown.published) == (paper.id, paper.title, paper.authors, paper.published)
    assert shown.url.startswith("http")


def test_url_prefers_the_abstract_page_and_may_be_empty() -> None:
    assert view(links={"url": "https://example.org/x", "abs": "https://arxiv.org/abs/1"}).url == "https://arxiv.org/abs/1"
    assert view(links={"url": "https://example.org/x"}).url == "https://example.org/x"
    assert view(links={}).url == ""


def test_match_maps_scores_to_0_100_keeping_their_order() -> None:
    assert [match_percent(s) for s in (-1.0, 0.0, 0.5, 1.0, 2.0, 50.0)] == [0, 0, 39, 63, 86, 100]
    picks = [Recommendation(view(), s, "graph neural networks") for s in (0.2, 0.9, 3.0)]
    assert [p.match for p in picks] == sorted(p.match for p in picks)


def test_as_dict_is_json_with_iso_dates_and_rounded_scores() -> None:
    pick = Recommendation(view(), 0.123456, "graph neural networks", ["graph"], view(id="2401.00009"))
    data = json.loads(json.dumps(pick.as_dict()))
    assert data["published"] == "2026-07-01" and data["url"] == "https://arxiv.org/abs/2401.00001v2"
    assert data["score"] == 0.1235 and data["similar_to"] == "2401.00009" and data["terms"] == ["graph"]
    assert view(published=None).as_dict()["published"] is None


def test_score_for_match_inverts_match_percent() -> None:
    from recommender.views import match_percent, score_for_match

    for match in (0, 1, 26, 50, 95, 99):
        assert match_percent(score_for_match(match)) == match
    assert score_for_match(0) == 0.0
    with pytest.raises(ValueError):
        score_for_match(100)
