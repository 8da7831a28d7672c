"""Author names matched across the ways arXiv writes them, on real author strings of the arXiv
sample (tests/fixtures/arxiv-sample-authors.jsonl), and follows stored per member."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recommender.errors import PaperbotError
from recommender.members.authors import AuthorDirectory, parse, same_person, wrote
from recommender.service import PaperService

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "arxiv-sample-authors.jsonl"
RECORDS = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]


def one(text: str):
    name = parse(text)
    assert name is not None, text
    return name


def by_id(pid: str) -> dict:
    return next(r for r in RECORDS if r["id"] == pid)


@pytest.mark.parametrize(("typed", "written"), [
    ("Wałęga, P. A.", "Przemysław Andrzej Wałęga"),
    ("Przemyslaw Walega", "Przemysław Andrzej Wałęga"),
    ("P. Wałęga", "Przemysław Andrzej Wałęga"),
    ("Laura Leal-Taixe", "Laura Leal-Taixé"),
    ("Leal-Taixé, L.", "Laura Leal-Taixé"),
    ("Cengiz Oztireli", "Cengiz Öztireli"),
    ("Matthias Niessner", "Matthias Nießner"),
    ("Mert Bulent Sariyildiz", "Mert Bülent Sarıyıldız"),
    ("Tomas Arias Vergara", "Tomás Arias-Vergara"),
    ("Dimitris Metaxas", "Dimitris N. Metaxas"),
    ("W. Wang", "Wei Wang"),
])
def test_one_person_written_two_ways(typed: str, written: str) -> None:
    assert same_person(one(typed), one(written))
    assert same_person(one(written), one(typed))


@pytest.mark.parametrize(("a", "b"), [
    ("Wei Wang", "Wen Wang"),
    ("Yoshua Bengio", "Samy Bengio"),
    ("Y. Bengio", "Samy Bengio"),
    ("Wei Wang", "Wei-Jie Wang"),
    ("Dimitris N. Metaxas", "Dimitris Q. Metaxas"),
])
def test_different_people_stay_apart(a: str, b: str) -> None:
    assert not same_person(one(a), one(b))


def test_real_papers_are_matched_to_the_follow() -> None:
    walega = one("Wałęga, P. A.")
    assert wrote(walega, by_id("2606.17882")["authors"]) and wrote(walega, by_id("2508.06091")["authors"])
    assert not any(wrote(walega, r["authors"]) for r in RECORDS if r["id"] not in ("2606.17882", "2508.06091"))
    niessner = one("Nießner, M.")
    assert {r["id"] for r in RECORDS if wrote(niessner, r["authors"])} == {
        "2503.12552", "2503.15996", "2505.05376", "2506.06271"}


def test_the_directory_merges_spellings_and_counts_papers() -> None:
    directory = AuthorDirectory((r["authors"], r["categories"]) for r in RECORDS)
    (taixe,) = directory.search("leal-taixe")
    assert taixe.display == "Laura Leal-Taixé" and taixe.papers == 3
    (oztireli,) = [p for p in directory.search("oztireli")]
    assert oztireli.papers == 4  # Öztireli twice, Oztireli twice: one person
    assert [p.display for p in directory.search("wałęga")] == ["Przemysław Andrzej Wałęga"]
    assert [p.display for p in directory.search("Walega, P")] == ["Przemysław Andrzej Wałęga"]
    assert directory.search("niesner")[0].display.startswith("Matthias Nie")  # a typo finds the close spelling


def test_ambiguous_names_are_shown_with_their_categories() -> None:
    directory = AuthorDirectory((r["authors"], r["categories"]) for r in RECORDS)
    fits = directory.matching(one("W. Wang"))
    names = {p.display for p in fits}
    assert {"Wei Wang", "Wen Wang"} <= names
    wen = next(p for p in fits if p.display == "Wen Wang")
    assert wen.ambiguous and "eess.AS" in wen.label() and "paper" in wen.label()
    assert all(len(p.label()) <= 100 for p in directory.people)
    bengio = directory.matching(one("Yoshua Bengio"))
    assert [p.display for p in bengio] == ["Yoshua Bengio"]


def test_follow_picks_the_fullest_name_and_refuses_an_ambiguous_one(service: PaperService) -> None:
    name, created, person = service.follow_author(7, "Wałęga, P. A.")
    assert (name, created) == ("Przemysław Andrzej Wałęga", True) and person is not None and person.papers >= 1
    assert service.follow_author(7, "Przemyslaw Walega")[1] is False  # the same person, once
    assert service.followed_authors(7) == ["Przemysław Andrzej Wałęga"]
    choices = service.author_choices("wałę")
    assert ("Przemysław Andrzej Wałęga" in [v for _, v in choices]) and all(len(label) <= 100 for label, _ in choices)
    wangs = [p for p in service.author_directory().matching(one("W. Wang"))]
    if len(wangs) > 1:  # the demo corpus has several W. Wangs
        with pytest.raises(PaperbotError, match="Several authors"):
            service.follow_author(7, "W. Wang")
    assert service.unfollow_author(7, "walega") == "Przemysław Andrzej Wałęga"
    with pytest.raises(PaperbotError, match="don't follow"):
        service.unfollow_author(7, "walega")


def test_suggestions_are_the_authors_recurring_among_likes(service: PaperService) -> None:
    directory = service.author_directory()
    prolific = next(p for p in directory.people if not p.ambiguous)
    liked = [r for r in _papers_by(service, prolific.name)][:3]
    assert len(liked) >= 2
    for pid in liked:
        service.feedback(8, pid, "like")
    suggested = dict(service.suggest_authors(8))
    assert any(same_person(one(n), prolific.name) and count >= 2 for n, count in suggested.items())
    service.follow_author(8, prolific.display)
    assert not any(same_person(one(n), prolific.name) for n in dict(service.suggest_authors(8)))


def _papers_by(service: PaperService, name) -> list[str]:
    from sqlalchemy import select

    from recommender.storage.models import Paper

    with service.db.session() as s:
        return [pid for pid, authors in s.execute(select(Paper.id, Paper.authors)) if wrote(name, authors)]
