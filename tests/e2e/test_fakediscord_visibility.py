"""The emulator's command visibility rules (fakediscord/visibility.py), on its default world, without a bot."""

from __future__ import annotations

import pytest
from fakediscord import CommandNotVisible, World
from fakediscord.visibility import check, hidden_because
from fakediscord.world import ADMINISTRATOR, MANAGE_GUILD

pytestmark = pytest.mark.e2e


def command(**fields: object) -> dict[str, object]:
    return {"id": "1", "name": "digest", "type": 1, "description": "d", **fields}


def test_default_member_permissions_contexts_and_overwrites() -> None:
    world = World.default()
    guild = world.guild
    alice, bob, owen = world.user("alice"), world.user("bob"), world.user("owen")
    general, dm = world.channel("general"), world.dm_channel_for(bob)
    admin_cmd = command(default_member_permissions=str(MANAGE_GUILD), dm_permission=False, contexts=[0])

    assert hidden_because(world, alice, general, admin_cmd) is None  # Moderators have Manage Server
    assert hidden_because(world, owen, general, admin_cmd) is None  # the owner sees everything
    assert "default_member_permissions" in (hidden_because(world, bob, general, admin_cmd) or "")
    assert hidden_because(world, bob, dm, admin_cmd) == "not available in DMs"
    assert hidden_because(world, bob, dm, command(dm_permission=False)) == "not available in DMs"  # the older field
    assert hidden_because(world, bob, dm, command(contexts=[0, 1, 2])) is None
    assert hidden_because(world, bob, general, command(contexts=[1])) == "not available in servers"
    assert hidden_because(world, alice, general, command(default_member_permissions="0")) is not None  # admins only
    with pytest.raises(CommandNotVisible, match="bob"):
        check(world, bob, general, admin_cmd)

    # A server's overwrites: @everyone allowed, then bob's own denial wins over it; a role's allow.
    world.command_permissions[(guild.id, 1)] = {guild.id: True}
    assert hidden_because(world, bob, general, admin_cmd) is None
    world.command_permissions[(guild.id, 1)][bob.id] = False
    assert hidden_because(world, bob, general, admin_cmd) == "denied by the server's command permissions"
    admins = world.add_role(guild, "Admins", ADMINISTRATOR)
    guild.members[bob.id].roles.append(admins.id)
    assert hidden_because(world, bob, general, admin_cmd) is None  # administrators always see commands
