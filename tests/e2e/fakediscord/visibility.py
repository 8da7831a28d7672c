"""Command visibility, as Discord's client applies it: a command a member cannot see never reaches the bot.

- `contexts` (and the older `dm_permission`): a command without context 1 (BOT_DM), or with
  `dm_permission: false`, is not offered in DMs; one without context 0 (GUILD) not in servers.
- `default_member_permissions`: in a server, only members whose server permissions include every bit
  see the command ("0": administrators only); the owner and administrators always do.
- A server's overwrites (Server Settings → Integrations; application command permissions v2) allow or
  deny a command for a member or a role, instead of `default_member_permissions`: the member's own
  overwrite first, then their roles' (one allow is enough), then @everyone's (the role whose id is the
  server's). Set them with `fd.set_command_permission(...)`.

Invoking or autocompleting a command the member cannot see raises `CommandNotVisible`, the way the
command picker simply does not list it.
"""

from __future__ import annotations

from typing import Any

from .world import ADMINISTRATOR, DM, Channel, User, World

GUILD_CONTEXT, BOT_DM_CONTEXT = 0, 1


class CommandNotVisible(LookupError):
    """The member's command picker does not offer this command here."""


def _in_context(cmd: dict[str, Any], channel: Channel) -> bool:
    contexts = cmd.get("contexts")
    if channel.type == DM:
        return cmd.get("dm_permission") is not False and (contexts is None or BOT_DM_CONTEXT in contexts)
    return contexts is None or GUILD_CONTEXT in contexts


def _overwrite(world: World, cmd: dict[str, Any], guild_id: int, user_id: int) -> bool | None:
    rules = world.command_permissions.get((guild_id, int(cmd["id"])), {})
    if user_id in rules:
        return rules[user_id]
    member = world.guilds[guild_id].members.get(user_id)
    roles = [rules[r] for r in (member.roles if member else []) if r in rules]
    if roles:
        return any(roles)
    return rules.get(guild_id)  # @everyone


def hidden_because(world: World, user: User, channel: Channel, cmd: dict[str, Any]) -> str | None:
    """Why `user` is not offered `cmd` in `channel` (None: it is offered)."""
    if not _in_context(cmd, channel):
        return "not available in DMs" if channel.type == DM else "not available in servers"
    guild = world.guild_of(channel)
    if guild is None:
        return None
    perms = guild.base_permissions(user.id)
    if user.id == guild.owner_id or perms & ADMINISTRATOR:
        return None
    allowed = _overwrite(world, cmd, guild.id, user.id)
    if allowed is not None:
        return None if allowed else "denied by the server's command permissions"
    needed = cmd.get("default_member_permissions")
    if needed is None:
        return None
    needed = int(needed)
    if needed == 0 or perms & needed != needed:
        return f"needs permissions {needed} (default_member_permissions), the member has {perms}"
    return None


def check(world: World, user: User, channel: Channel, cmd: dict[str, Any]) -> None:
    reason = hidden_because(world, user, channel, cmd)
    if reason is not None:
        where = "DMs" if channel.type == DM else f"#{channel.name}"
        raise CommandNotVisible(f"fakediscord: /{cmd['name']} is not offered to {user.username} in {where}: {reason}")


def visible_commands(world: World, user: User, channel: Channel) -> list[str]:
    """The chat-input commands `user`'s picker lists in `channel` (guild-scoped and global)."""
    scopes = ([channel.guild_id] if channel.guild_id else []) + [None]
    cmds = [c for s in scopes for c in world.commands.get(s, []) if c.get("type", 1) == 1]
    return sorted({c["name"] for c in cmds if hidden_because(world, user, channel, c) is None})
