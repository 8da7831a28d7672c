"""Mutes: stored once per member, checked with clear errors, and tested against papers."""

from __future__ import annotations

import pytest

from recommender.errors import PaperbotError
from recommender.members.mutes import MuteEntry, Mutes
from recommender.service import PaperService

TITLE = "Whisper-Large fine-tuning for Dysarthric Speech"


def test_a_paper_is_hidden_by_keyword_category_or_author() -> None:
    mutes = Mutes([MuteEntry("keyword", "fine-tuning"), MuteEntry("category", "eess.as"), MuteEntry("author", "Wałęga, P.")])
    assert mutes.reason(TITLE, "", [], ["cs.CL"]) == "keyword fine tuning"
    assert mutes.reason("Speech", "", [], ["cs.CL", "eess.AS"]) == "category eess.AS"
    assert mutes.reason("Logic", "", ["Przemyslaw Andrzej Walega"], ["cs.AI"]) == "author Przemyslaw Andrzej Walega"
    assert mutes.reason("Tuning forks", "fine art", ["Piotr Nowak"], ["cs.AI"]) is None  # whole words only
    assert not Mutes() and Mutes().reason(TITLE, "", [], []) is None


def test_mutes_are_kept_per_member_with_clear_errors(service: PaperService) -> None:
    entry, created = service.mute(3, "keyword", "  Diffusion  ")
    assert (entry, created) == (MuteEntry("keyword", "Diffusion"), True)
    assert service.mute(3, "keyword", "diffusion")[1] is False, "the same keyword in another case is one mute"
    service.mute(3, "category", "cs.CV")
    assert [e.kind for e in service.mutes(3)] == ["category", "keyword"] and service.mutes(4) == []
    with pytest.raises(PaperbotError, match="not an arXiv category"):
        service.mute(3, "category", "computer vision")
    with pytest.raises(PaperbotError, match="at least two letters"):
        service.mute(3, "keyword", "!")
    with pytest.raises(PaperbotError, match="haven't muted"):
        service.unmute(3, "keyword", "transformers")
    assert service.unmute(3, "keyword", "DIFFUSION") == MuteEntry("keyword", "Diffusion")
    assert service.mutes(3) == [MuteEntry("category", "cs.CV")]
