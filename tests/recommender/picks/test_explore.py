"""Search, "more like this" and "why" on the demo corpus, and their clear errors."""

from __future__ import annotations

import pytest

from recommender.errors import PaperbotError, UnknownPaper
from recommender.service import PaperService
from recommender.views import Target

GNN = "graph neural networks"


def text(pick) -> str:  # type: ignore[no-untyped-def]
    return f"{pick.paper.title} {pick.paper.abstract}".lower()


def test_search_finds_papers_with_the_words_best_first(service: PaperService) -> None:
    hits = service.search(GNN, limit=5)
    assert len(hits) == 5 and all("graph" in text(h) for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(h.matched == f"search: {GNN}" and h.terms for h in hits)
    assert service.search("  graph   neural\tnetworks ", limit=5)[0].paper.id == hits[0].paper.id  # spaces tidied


@pytest.mark.parametrize(("query", "fragment"), [("", "Type something"), ("   ", "Type something"),
                                                  ("x" * 1000, "at most"), ("qwxzv zzyqx", "None of the words")])
def test_bad_searches_are_clear_errors(service: PaperService, query: str, fragment: str) -> None:
    with pytest.raises(PaperbotError, match=fragment):
        service.search(query)


def test_similar_papers_leave_the_paper_itself_out(service: PaperService) -> None:
    seed = service.search(GNN, limit=1)[0].paper
    shown, picks = service.similar(seed.id, limit=5)
    assert shown.id == seed.id and len(picks) == 5 and seed.id not in [p.paper.id for p in picks]
    assert all(p.matched.startswith("similar to ") for p in picks)
    assert sum("graph" in text(p) for p in picks) >= 3
    with pytest.raises(UnknownPaper):
        service.similar("2401.99999")


def test_why_compares_with_the_members_topics(service: PaperService) -> None:
    paper = service.search(GNN, limit=1)[0].paper
    with pytest.raises(PaperbotError, match="follow any topics"):
        service.why(1, paper.id)
    service.subscribe(Target.user(1), GNN)
    assert service.why(1, paper.id).matched == GNN


def test_an_empty_library_says_so(bare_service: PaperService) -> None:
    for attempt in (lambda: bare_service.search(GNN), lambda: bare_service.similar("2401.00001"),
                    lambda: bare_service.why(1, "2401.00001")):
        with pytest.raises(PaperbotError, match="library is empty"):
            attempt()
