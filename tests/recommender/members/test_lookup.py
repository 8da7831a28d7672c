"""Finding the paper a member means (id, link or title) and the papers offered for autocomplete."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from recommender.errors import UnknownPaper
from recommender.members.lookup import find_paper, paper_choices
from recommender.service import PaperService
from recommender.storage.models import Paper

USER = 77


def newest(service: PaperService) -> Paper:
    with service.db.session() as s:
        paper = s.scalars(select(Paper).where(Paper.id.like("26%")).order_by(Paper.published.desc(), Paper.id)).first()
        assert paper is not None
        s.expunge(paper)
        return paper


def test_ids_and_links(service: PaperService) -> None:
    paper = newest(service)
    with service.db.session() as s:
        for form in ("{id}", "{id}v3", "arXiv:{id}", "https://arxiv.org/abs/{id}v1", "https://arxiv.org/pdf/{id}v2.pdf",
                     "http://export.arxiv.org/abs/{id}", "  {id}  "):
            assert find_paper(s, form.format(id=paper.id)).id == paper.id, form


def test_exact_and_misspelt_titles(service: PaperService) -> None:
    paper = newest(service)
    with service.db.session() as s:
        assert find_paper(s, paper.title.upper()).id == paper.id  # case and punctuation do not matter
        typo = paper.title[:-3] + paper.title[-2:]  # one character lost
        assert find_paper(s, typo).id == paper.id


def test_unknown_ids_links_and_titles_are_explained(service: PaperService) -> None:
    with service.db.session() as s:
        with pytest.raises(UnknownPaper, match="No paper `9999.99999v2`"):
            find_paper(s, "9999.99999v2")
        with pytest.raises(UnknownPaper, match="not an arXiv link"):
            find_paper(s, "https://example.com/paper.pdf")
        with pytest.raises(UnknownPaper, match="No paper"):
            find_paper(s, "zzqx wvvy " * 1000)
        with pytest.raises(UnknownPaper, match=r"…"):  # a long input is quoted shortened
            find_paper(s, "q" * 5000)
        with pytest.raises(UnknownPaper, match="Give a paper"):
            find_paper(s, " \n ")


def test_a_near_title_is_suggested_not_taken(service: PaperService) -> None:
    paper = newest(service)
    key = " ".join(paper.title.lower().split())
    part = key[: int(len(key) * 0.6)]  # 75 % alike: offered, not taken
    with service.db.session() as s, pytest.raises(UnknownPaper, match="Did you mean") as caught:
        find_paper(s, part)
    assert f"`{paper.id}`" in str(caught.value)


def test_choices_for_titles_ids_and_own_papers(service: PaperService) -> None:
    paper = newest(service)
    with service.db.session() as s:
        word = max(paper.title.split(), key=len)
        offered = paper_choices(s, USER, word)
        assert 0 < len(offered) <= 25 and all(word.lower() in t.lower() for _, t in offered)
        assert (paper.id, paper.title) in paper_choices(s, USER, paper.title)
        assert [pid for pid, _ in paper_choices(s, USER, paper.id)] == [paper.id]
        by_prefix = paper_choices(s, USER, paper.id[:7])
        assert by_prefix and all(pid.startswith(paper.id[:7]) for pid, _ in by_prefix)
        assert paper_choices(s, USER, "") == []  # nothing saved or liked yet
        assert paper_choices(s, USER, "%_%") == []  # LIKE wildcards are text
    service.feedback(USER, paper.id, "save")
    with service.db.session() as s:
        assert paper_choices(s, USER, "") == [(paper.id, paper.title)]
