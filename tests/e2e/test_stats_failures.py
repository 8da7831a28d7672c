"""/stats shows the server's last delivery failures (a digest channel the bot may no longer post in)."""

from __future__ import annotations

import pytest
from botkit import answer, start_bot

from recommender.service import PaperService

pytestmark = pytest.mark.e2e
SEND_MESSAGES = 1 << 11


async def test_stats_shows_the_last_delivery_failure(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="graph neural networks"))
    await answer(await fd.slash(fd.admin, "general", "digest channel", channel=fd.channel("papers")))
    reply = await answer(await fd.slash(fd.admin, "general", "stats"))
    assert {f["name"]: f["value"] for f in reply.embeds[0]["fields"]}["Last delivery failures"] == "None"

    # Someone takes Send Messages away from the bot in #papers.
    fd.channel("papers").overwrites.append({"id": str(fd.bot_user.id), "type": 1, "allow": "0", "deny": str(SEND_MESSAGES)})
    reply = await answer(await fd.slash(fd.admin, "general", "digest now"))
    assert reply.content.startswith("⚠️")
    fd.take_problems()  # the 403 was the point

    reply = await answer(await fd.slash(fd.admin, "general", "stats"))
    got = {f["name"]: f["value"] for f in reply.embeds[0]["fields"]}
    assert got["Digests failed"] == "1"
    failure = got["Last delivery failures"]
    assert "channel digest of" in failure and "· failed, next try" in failure and "(1 tries)" in failure
    assert f"I'm not allowed to post in <#{fd.channel('papers').id}>" in failure
    assert len(failure) <= 1024
