"""/stats: this server's figures only, for its admins."""

from __future__ import annotations

import pytest
from botkit import answer, start_bot, synced
from fakediscord import CommandNotVisible

from recommender.service import PaperService
from recommender.views import Target

pytestmark = pytest.mark.e2e


def fields(reply) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {f["name"]: f["value"] for f in reply.embeds[0]["fields"]}


async def test_stats_counts_this_server_only(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    # Another server's member and digests: never counted here.
    service.subscribe(Target.user(424242, 999), "quantum error correction")
    service.subscribe(Target.user(424243, 999), "protein folding")
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="graph neural networks"))
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="speech recognition"))
    await answer(await fd.slash(fd.admin, "general", "subscribe", topic="graph neural networks"))

    reply = await answer(await fd.slash(fd.admin, "general", "stats"))
    got = fields(reply)
    assert "Paper Lab" in reply.embeds[0]["title"]
    assert got["Members using paperbot"] == "2" and got["Members following topics"] == "2"
    assert got["Topics followed"] == "2" and got["Digests posted"] == "0"
    assert "global" in reply.embeds[0]["footer"]["text"]
    assert service.stats()["users"] == 4, "the global figures still count everyone"


async def test_stats_is_admin_only_and_hidden(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    command = synced(fd, "stats")
    assert int(command["default_member_permissions"]) == 32 and command["dm_permission"] is False
    assert command["contexts"] == [0] and "stats" not in fd.visible_commands(fd.member, "general")
    with pytest.raises(CommandNotVisible):
        await fd.slash(fd.member, "general", "stats")
    fd.set_command_permission(fd.guild, "stats", fd.guild, True)  # opened to @everyone in Integrations
    reply = await answer(await fd.slash(fd.member, "general", "stats"))
    assert "Manage Server" in reply.content and not reply.embeds
