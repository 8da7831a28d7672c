"""Mutes: stored once per member, checked with clear errors, and tested against papers."""

from __future__ import annotations

import pytest

from recommender.errors import PaperbotError
from recommender.members.mutes import MUTES_MAX, MuteEntry, Mutes
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


def test_a_digest_channel_has_its_own_mutes_which_move_with_it(service: PaperService) -> None:
    guild = 70
    with pytest.raises(PaperbotError, match="Set the digest channel first"):
        service.channel_mute(guild, "keyword", "Whisper")
    service.configure_digest(guild, channel_id=500)
    assert service.channel_mute(guild, "keyword", " Whisper ") == (MuteEntry("keyword", "Whisper"), True)
    assert service.channel_mute(guild, "keyword", "WHISPER")[1] is False, "one mute whatever the case"
    service.channel_mute(guild, "author", "Wałęga, P.")
    service.mute(3, "category", "cs.SD")  # a member's mute is theirs, not the channel's
    assert service.channel_mutes(guild) == (500, [MuteEntry("author", "Wałęga, P."), MuteEntry("keyword", "Whisper")])
    assert service.mutes(3) == [MuteEntry("category", "cs.SD")]
    with pytest.raises(PaperbotError, match="The digest hasn't muted the category `cs.SD`. Its mutes: author"):
        service.channel_unmute(guild, "category", "cs.SD")
    with pytest.raises(PaperbotError, match="not an arXiv category"):
        service.channel_mute(guild, "category", "vision!")
    assert service.channel_mute_reason(guild, "2606.17882") == "author Przemysław Andrzej Wałęga"

    service.configure_digest(guild, channel_id=501)  # a new digest channel takes them along
    assert service.channel_mutes(guild)[0] == 501 and len(service.channel_mutes(guild)[1]) == 2
    assert service.channel_unmute(guild, "keyword", "whisper") == MuteEntry("keyword", "Whisper")
    assert service.channel_mutes(guild) == (501, [MuteEntry("author", "Wałęga, P.")])


def test_a_digest_channel_has_at_most_fifty_mutes(service: PaperService) -> None:
    service.configure_digest(71, channel_id=600)
    for n in range(MUTES_MAX):
        service.channel_mute(71, "keyword", f"word{n}")
    with pytest.raises(PaperbotError, match="The digest has 50 mutes already: `/digest unmute` one first"):
        service.channel_mute(71, "keyword", "one more")
