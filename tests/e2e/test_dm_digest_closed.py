"""Closed DMs switch the DM digest off, and the member is told once, at their next command."""

from __future__ import annotations

import pytest
from botkit import answer, digest_jobs, start_bot

from recommender.service import PaperService
from recommender.storage.models import User

pytestmark = pytest.mark.e2e

NOTICE = "Your daily DM picks are switched off"


def dm_on(service: PaperService, user_id: int) -> bool:
    with service.db.session() as s:
        return bool(s.get(User, user_id).dm_digest)  # type: ignore[union-attr]


async def test_settings_closed_dms_are_told_once_at_the_next_command(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    bot = await start_bot(discord_harness, service)
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="speech recognition"))
    await answer(await fd.slash(fd.member, "general", "dm on", time="00:00", timezone="UTC"))
    fd.member.dms_open = False

    assert await digest_jobs(bot).run_dm_sweep() == 0
    fd.take_problems()  # the 403 (50007) was expected
    assert not dm_on(service, fd.member.id)
    assert NOTICE not in (await answer(await fd.slash(fd.admin, "general", "topics"))).content, "only the member"

    reply = await answer(await fd.slash(fd.member, "general", "topics"))
    assert reply.content.startswith("📭 " + NOTICE) and "/dm on" in reply.content
    assert reply.embeds and reply.embeds[0]["title"] == "Your topics", "the notice comes with the normal reply"
    again = await answer(await fd.slash(fd.member, "general", "topics"))
    assert not again.content or NOTICE not in again.content, "told once"

    fd.member.dms_open = True
    reply = await answer(await fd.slash(fd.member, "general", "dm on"))
    assert NOTICE not in reply.content and dm_on(service, fd.member.id)


async def test_settings_other_dm_failures_keep_the_digest_and_tell_nothing(discord_harness,
                                                                           service: PaperService) -> None:
    fd = discord_harness.fd
    bot = await start_bot(discord_harness, service)
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="speech recognition"))
    await answer(await fd.slash(fd.member, "general", "dm on", time="00:00", timezone="UTC"))
    fd.inject_error("POST", f"/channels/{fd.dm_channel(fd.member).id}/messages", status=400, code=50035,
                    message="Invalid Form Body")
    assert await digest_jobs(bot).run_dm_sweep() == 0
    fd.take_problems()
    assert dm_on(service, fd.member.id), "a 400 is no reason to stop the member's DM digest"
    reply = await answer(await fd.slash(fd.member, "general", "topics"))
    assert not reply.content or NOTICE not in reply.content
