"""/digest mute and /digest unmute in Discord: the digest channel's own mutes keep papers out of its digests
(scheduled, /digest now, /digest preview); members' mutes keep changing their own picks only."""

from __future__ import annotations

from datetime import date

import pytest
from botkit import answer, custom_ids, digest_jobs, start_bot, text_of
from digestkit import sent_papers, the_digest, thread_papers
from fakediscord import CommandNotVisible
from sqlalchemy import select

from recommender.members.authors import fold
from recommender.service import PaperService
from recommender.storage.models import Paper

pytestmark = pytest.mark.e2e


def papers(service: PaperService, ids: list[str]) -> list[Paper]:
    with service.db.session() as s:
        found = s.scalars(select(Paper).where(Paper.id.in_(ids))).all()
        s.expunge_all()
        return list(found)


def speechless(found: list[Paper]) -> bool:
    return all("speech" not in fold(f"{p.title} {p.abstract}").split() and "cs.SD" not in p.categories for p in found)


def preview_ids(message) -> list[str]:  # type: ignore[no-untyped-def]
    return [i for i in (message.embeds[0]["description"] or "").split("`")[1::2] if "." in i]


async def setup(discord_harness, service: PaperService):  # type: ignore[no-untyped-def]
    fd = discord_harness.fd
    bot = await start_bot(discord_harness, service)
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="speech recognition"))
    await answer(await fd.slash(fd.admin, "general", "subscribe", topic="graph neural networks"))
    await answer(await fd.slash(fd.admin, "general", "digest channel", channel=fd.channel("papers")))
    return fd, bot


async def test_mute_channel_keeps_papers_out_of_the_digest_now_and_preview(discord_harness, service: PaperService) -> None:
    fd, _ = await setup(discord_harness, service)
    before = papers(service, preview_ids(await answer(await fd.slash(fd.admin, "general", "digest preview"))))
    assert not speechless(before), "the members' topic brings speech papers"

    reply = await answer(await fd.slash(fd.admin, "general", "digest mute keyword", word="speech"))
    assert "The digest mutes the keyword **speech**" in reply.content
    assert f"Muted in the digest in <#{fd.channel('papers').id}>" in reply.embeds[0]["title"]
    again = await answer(await fd.slash(fd.admin, "general", "digest mute keyword", word="Speech"))
    assert "mutes the keyword **speech** already" in again.content
    await answer(await fd.slash(fd.admin, "general", "digest mute category", code="cs.SD"))
    bad = await answer(await fd.slash(fd.admin, "general", "digest mute category", code="not a category!"))
    assert "is not an arXiv category" in bad.content

    preview = papers(service, preview_ids(await answer(await fd.slash(fd.admin, "general", "digest preview"))))
    assert preview and speechless(preview)
    status = text_of(await answer(await fd.slash(fd.admin, "general", "digest status")))
    assert "Mutes category cs.SD, keyword speech" in status

    posted = await answer(await fd.slash(fd.admin, "general", "digest now"))
    assert "Posted today's digest" in posted.content
    _, thread = the_digest(fd, fd.channel("papers"))
    sent = thread_papers(fd, thread)
    assert sent and sent == sent_papers(service, fd.channel("papers").id) and speechless(papers(service, sent))

    mine = papers(service, [i.split(":", 2)[2] for i in custom_ids(
        await answer(await fd.slash(fd.member, "general", "recommend"))) if i.startswith("pb:like:")])
    assert not speechless(mine), "the digest's mutes are not the member's"


async def test_mute_channel_applies_to_the_scheduled_digest_and_unmute_autocompletes(discord_harness,
                                                                                     service: PaperService) -> None:
    fd, bot = await setup(discord_harness, service)
    await answer(await fd.slash(fd.admin, "general", "digest mute keyword", word="speech"))
    await answer(await fd.slash(fd.admin, "general", "digest mute author", who="Wałęga, P."))
    choices = await fd.autocomplete(fd.admin, "general", "digest unmute", option="mute", value="SPE")
    assert [c["value"] for c in choices] == ["keyword: speech"]
    assert len(await fd.autocomplete(fd.admin, "general", "digest unmute", option="mute", value="")) == 2

    outcome = await digest_jobs(bot).run_channel_digest(fd.guild.id, date(2026, 11, 24))
    assert outcome is not None and outcome.status == "sent"
    _, thread = the_digest(fd, fd.channel("papers"))
    assert speechless(papers(service, thread_papers(fd, thread)))

    reply = await answer(await fd.slash(fd.admin, "general", "digest unmute", mute="keyword: speech"))
    assert "no longer mutes the keyword **speech**" in reply.content and "Wałęga" in text_of(reply)
    wrong = await answer(await fd.slash(fd.admin, "general", "digest unmute", mute="keyword: speech"))
    assert "The digest hasn't muted the keyword `speech`" in wrong.content
    odd = await answer(await fd.slash(fd.admin, "general", "digest unmute", mute="speech"))
    assert "written like `keyword: benchmark`" in odd.content
    preview = papers(service, preview_ids(await answer(await fd.slash(fd.admin, "general", "digest preview"))))
    assert not speechless(preview), "unmuted: speech papers are back"


async def test_mute_channel_is_for_admins_checked_server_side(discord_harness, service: PaperService) -> None:
    fd, _ = await setup(discord_harness, service)
    with pytest.raises(CommandNotVisible):
        await fd.slash(fd.member, "general", "digest mute keyword", word="speech")
    with pytest.raises(CommandNotVisible):
        await fd.autocomplete(fd.member, "general", "digest unmute", option="mute", value="")
    fd.set_command_permission(fd.guild, "digest", fd.member, True)  # a server that opened /digest to bob
    reply = await answer(await fd.slash(fd.member, "general", "digest mute keyword", word="speech"))
    assert "Manage Server" in reply.content
    assert await fd.autocomplete(fd.member, "general", "digest unmute", option="mute", value="") == []
    assert service.channel_mutes(fd.guild.id)[1] == []
