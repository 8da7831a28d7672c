"""A member's rules over their picks, on the demo corpus: muted papers out (the list still full),
followed authors' papers pinned first and marked, in /recommend and the DM digest alike."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from recommender.members.authors import fold
from recommender.picks.pinning import PINNED
from recommender.service import PaperService
from recommender.storage.models import Paper

USER = 41
WALEGA = "2606.17882"  # Przemysław Andrzej Wałęga, in the demo corpus


def categories(service: PaperService, ids: list[str]) -> dict[str, list[str]]:
    with service.db.session() as s:
        return {p.id: list(p.categories) for p in s.scalars(select(Paper).where(Paper.id.in_(ids)))}


def test_mutes_leave_papers_out_and_the_list_full(service: PaperService) -> None:
    service.subscribe_and_advise(_user(), "speech recognition")
    before = service.recommend(USER).picks
    muted_category = next(c for r in before for c in r.paper.categories if c != "cs.CL")
    service.mute(USER, "category", muted_category)
    service.mute(USER, "keyword", "ASR")
    after = service.recommend(USER).picks
    assert len(after) == len(before)
    for rec in after:
        assert muted_category not in rec.paper.categories
        assert "asr" not in fold(f"{rec.paper.title} {rec.paper.abstract}").split()


def test_followed_authors_are_pinned_whatever_their_score(service: PaperService) -> None:
    service.subscribe_and_advise(_user(), "speech recognition")
    assert WALEGA not in [r.paper.id for r in service.recommend(USER).picks]
    service.follow_author(USER, "Wałęga, P. A.")
    picks = service.recommend(USER).picks
    assert picks[0].paper.id == WALEGA and picks[0].matched == f"{PINNED}: Przemysław Andrzej Wałęga"
    assert len(picks) == 5 and all(PINNED not in r.matched for r in picks[1:])
    service.mute(USER, "keyword", "graph neural networks")
    assert WALEGA not in [r.paper.id for r in service.recommend(USER).picks], "a mute wins over a follow"


def test_the_dm_digest_pins_and_filters_too(service: PaperService) -> None:
    service.subscribe_and_advise(_user(), "graph neural networks")
    plain = service.compose_personal_digests([(USER, date(2026, 7, 1))])[0].picks
    first = plain[0].paper
    author = next(a for a in first.authors if len(service.author_directory().matching(_parse(a))) == 1)
    service.mute(USER, "category", plain[1].paper.categories[0])
    service.follow_author(USER, author)
    picks = service.compose_personal_digests([(USER, date(2026, 7, 1))])[0].picks
    assert picks[0].paper.id == first.id and picks[0].matched.startswith(PINNED)
    assert all(plain[1].paper.categories[0] not in r.paper.categories for r in picks)


def _user():
    from recommender.views import Target

    return Target.user(USER)


def _parse(name: str):
    from recommender.members.authors import parse

    return parse(name)
