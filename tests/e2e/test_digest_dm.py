"""Personal DM digests on the test's clock: at each member's time in their time zone; closed DMs."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from botkit import answer, custom_ids
from digestkit import Clock, digest_bot, sent_papers

from recommender.service import PaperService
from recommender.storage.models import User

pytestmark = pytest.mark.e2e

UTC = ZoneInfo("UTC")
NOTICE = "Your daily DM picks are switched off"


def dm_on(service: PaperService, user_id: int) -> bool:
    with service.db.session() as s:
        return bool(s.get(User, user_id).dm_digest)  # type: ignore[union-attr]


async def test_digest_dm_arrives_at_the_members_time_in_their_time_zone(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    clock = Clock(datetime(2026, 11, 23, 22, 29, tzinfo=UTC))  # 07:29 on Tue 24 Nov in Tokyo
    _, jobs = await digest_bot(discord_harness, service, clock)
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="speech recognition"))
    reply = await answer(await fd.slash(fd.member, "general", "dm on", time="07:30", timezone="Asia/Tokyo"))
    assert "every day at 07:30 (Asia/Tokyo)" in reply.content

    assert await jobs.run_dm_sweep() == 0, "a minute early"
    clock.advance(minutes=1)
    assert await jobs.run_dm_sweep() == 1
    dm = fd.dm_channel(fd.member)
    message, = fd.messages(dm)
    assert message.embeds[0]["title"] == "📬 Your paper picks — Tue 24 Nov 2026"
    assert "speech" in message.embeds[0]["description"].lower()
    liked = [c.split(":", 2)[2] for c in custom_ids(message) if c.startswith("pb:like:")]
    options = message.find_component("pb:pick:like")
    shown = liked or [o["value"] for o in options["options"]]
    assert shown == sent_papers(service, fd.member.id)
    clock.advance(hours=5)
    assert await jobs.run_dm_sweep() == 0, "one a day"
    clock.advance(hours=19)  # 07:30 the next day in Tokyo
    assert await jobs.run_dm_sweep() == 1 and len(fd.messages(dm)) == 2
    both_days = sent_papers(service, fd.member.id)
    assert len(both_days) > len(shown) and len(set(both_days)) == len(both_days), "no paper twice"


async def test_digest_dm_closed_stops_only_that_members_digest_and_tells_them(discord_harness,
                                                                               service: PaperService) -> None:
    fd = discord_harness.fd
    clock = Clock(datetime(2026, 11, 24, 8, 0, tzinfo=UTC))
    _, jobs = await digest_bot(discord_harness, service, clock)
    for user, topic in ((fd.member, "speech recognition"), (fd.admin, "graph neural networks")):
        await answer(await fd.slash(user, "general", "subscribe", topic=topic))
        await answer(await fd.slash(user, "general", "dm on", time="08:00", timezone="UTC"))
    fd.member.dms_open = False
    # A 503 on alice's DM: passing trouble, retried; never a reason to stop her digest.
    fd.inject_error("POST", f"/channels/{fd.dm_channel(fd.admin).id}/messages", status=503)

    assert await jobs.run_dm_sweep() == 0
    assert not dm_on(service, fd.member.id) and dm_on(service, fd.admin.id)
    clock.advance(minutes=1)
    assert await jobs.run_retries() == 1 and len(fd.messages(fd.dm_channel(fd.admin))) == 1
    assert fd.messages(fd.dm_channel(fd.member)) == []

    reply = await answer(await fd.slash(fd.member, "general", "topics"))
    assert reply.content.startswith("📭 " + NOTICE)
    assert NOTICE not in ((await answer(await fd.slash(fd.member, "general", "topics"))).content or ""), "told once"
    assert NOTICE not in ((await answer(await fd.slash(fd.admin, "general", "topics"))).content or "")
    clock.advance(days=1)
    assert await jobs.run_dm_sweep() == 1, "alice's digest goes on; bob's stays off"
