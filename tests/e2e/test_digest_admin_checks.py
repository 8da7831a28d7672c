"""/digest status and /digest preview are for admins, checked server-side (and hidden from others)."""

from __future__ import annotations

import pytest
from botkit import answer, start_bot, synced
from fakediscord import CommandNotVisible

from recommender.service import PaperService

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("sub", ["status", "preview"])
async def test_digest_status_and_preview_refuse_members(discord_harness, service: PaperService, sub: str) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    service.configure_digest(fd.guild.id, channel_id=fd.channel("papers").id)
    with pytest.raises(CommandNotVisible):
        await fd.slash(fd.member, "general", f"digest {sub}")
    fd.set_command_permission(fd.guild, "digest", fd.member, True)  # a server that opened /digest to bob
    reply = await answer(await fd.slash(fd.member, "general", f"digest {sub}"))
    assert "Manage Server" in reply.content and not reply.embeds
    assert int(synced(fd, "digest")["default_member_permissions"]) == 32  # hidden from members in Discord too

    reply = await answer(await fd.slash(fd.admin, "general", f"digest {sub}"))
    assert "Manage Server" not in reply.content
    assert ("Current digest settings" in reply.content) if sub == "status" else ("Preview" in reply.content)

