"""Mutes in Discord: muted keywords, categories and authors never reach the member's picks or DM digest."""

from __future__ import annotations

import pytest
from botkit import answer, custom_ids, digest_jobs, start_bot, text_of
from sqlalchemy import select

from recommender.members.authors import fold
from recommender.service import PaperService
from recommender.storage.models import Paper

pytestmark = pytest.mark.e2e


def picked(message) -> list[str]:
    return list(dict.fromkeys(i.split(":", 2)[2] for i in custom_ids(message) if i.startswith("pb:like:")))


def papers(service: PaperService, ids: list[str]) -> list[Paper]:
    with service.db.session() as s:
        found = s.scalars(select(Paper).where(Paper.id.in_(ids))).all()
        s.expunge_all()
        return list(found)


async def test_mute_keyword_and_category_keep_papers_out_of_picks(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    bot = await start_bot(discord_harness, service)
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="speech recognition"))
    before = papers(service, picked(await answer(await fd.slash(fd.member, "general", "recommend"))))
    assert len(before) == 5

    reply = await answer(await fd.slash(fd.member, "general", "mute keyword", word="Whisper"))
    assert "Muted the keyword **Whisper**" in reply.content
    await answer(await fd.slash(fd.member, "general", "mute category", code="cs.SD"))
    reply = await answer(await fd.slash(fd.member, "general", "mute category", code="not a category!"))
    assert "is not an arXiv category" in reply.content

    after = papers(service, picked(await answer(await fd.slash(fd.member, "general", "recommend"))))
    assert len(after) == 5, "the list is filled from the papers left"
    for paper in after:
        assert "whisper" not in fold(f"{paper.title} {paper.abstract}").split()
        assert "cs.SD" not in paper.categories

    await answer(await fd.slash(fd.member, "general", "dm on", time="00:00", timezone="UTC"))
    assert await digest_jobs(bot).run_dm_sweep() == 1
    dm = await fd.wait_for_message(fd.dm_channel(fd.member), timeout=10)
    for paper in papers(service, [i for i in (dm.embeds[0]["description"] or "").split("`")[1::2] if "." in i]):
        assert "whisper" not in fold(f"{paper.title} {paper.abstract}").split() and "cs.SD" not in paper.categories

    choices = await fd.autocomplete(fd.member, "general", "unmute", option="mute", value="key")
    assert [c["value"] for c in choices] == ["keyword: Whisper"]
    reply = await answer(await fd.slash(fd.member, "general", "unmute", mute="keyword: Whisper"))
    assert "Unmuted the keyword **Whisper**" in reply.content
    listed = text_of(await answer(await fd.slash(fd.member, "general", "mutes")))
    assert "category: **cs.SD**" in listed and "Whisper" not in listed
    assert "🔇 category: cs.SD" in text_of(await answer(await fd.slash(fd.member, "general", "topics")))


async def test_mute_author_hides_their_papers(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="graph neural networks"))
    await answer(await fd.slash(fd.member, "general", "follow", author="Przemysław Andrzej Wałęga"))
    first = papers(service, picked(await answer(await fd.slash(fd.member, "general", "recommend"))))[0:5]
    assert any(p.id == "2606.17882" for p in first)
    choices = await fd.autocomplete(fd.member, "general", "mute author", option="who", value="walega")
    assert choices and choices[0]["value"] == "Przemysław Andrzej Wałęga"
    await answer(await fd.slash(fd.member, "general", "mute author", who="Wałęga, P."))
    after = picked(await answer(await fd.slash(fd.member, "general", "recommend")))
    assert "2606.17882" not in after, "a mute wins over a follow"
