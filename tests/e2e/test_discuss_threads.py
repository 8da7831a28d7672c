"""/discuss in Discord: a public thread on the paper, with its abstract, links and who on the server
liked or saved it; one thread per server and paper."""

from __future__ import annotations

import re

import pytest
from botkit import answer, start_bot

from recommender.service import PaperService

pytestmark = pytest.mark.e2e
PAPER = "2606.17882"


async def test_discuss_opens_one_thread_with_the_servers_interest(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    await answer(await fd.slash(fd.member, "general", "like", paper=PAPER))
    await answer(await fd.slash(fd.admin, "general", "save", paper=PAPER))

    reply = await answer(await fd.slash(fd.member, "general", "discuss", paper=PAPER))
    found = re.search(r"<#(\d+)>", reply.content)
    assert "Opened a thread" in reply.content and found, reply.content
    thread = fd.channel(int(found.group(1)))
    assert thread.is_thread and thread.parent_id == fd.channel("general").id
    (opening,) = fd.messages(thread)
    embed = opening.embeds[0]
    assert "Structural Preservation" in embed["title"] and "graph neural networks" in embed["description"].lower()
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert "arxiv.org/abs/2606.17882" in fields["Links"]
    assert fields["👍 Liked by 1"] == f"<@{fd.member.id}>" and fields["💾 Saved by 1"] == f"<@{fd.admin.id}>"

    again = await answer(await fd.slash(fd.admin, "general", "discuss", paper=PAPER))
    assert "being discussed already" in again.content and f"<#{thread.id}>" in again.content
    assert len([c for c in fd.world.channels.values() if c.is_thread]) == 1

    missing = await answer(await fd.slash(fd.member, "general", "discuss", paper="9999.99999"))
    assert "No paper `9999.99999`" in missing.content
