"""What admins do to channels while the bot runs: change permissions, delete a channel.

Each change is applied to the world and announced on the gateway (CHANNEL_UPDATE,
CHANNEL_DELETE), as Discord does, so discord.py's cache sees it too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import payloads
from .world import Channel, Ref, StoredMessage

if TYPE_CHECKING:
    from .server import FakeDiscord

ROLE, MEMBER = 0, 1  # overwrite types


async def set_overwrite(fd: FakeDiscord, channel: Ref, target: Ref, *, allow: int = 0, deny: int = 0,
                        kind: int = MEMBER) -> None:
    """Set (replace) the permission overwrite of a member or role in a channel; allow=deny=0 removes it."""
    chan = fd.world.channel(channel)
    target_id = int(getattr(target, "id", target))
    chan.overwrites = [o for o in chan.overwrites if int(o["id"]) != target_id]
    if allow or deny:
        chan.overwrites.append({"id": str(target_id), "type": kind, "allow": str(allow), "deny": str(deny)})
    guild = fd.world.guild_of(chan)
    if guild is not None:
        await fd.dispatch_to_guild(guild, "CHANNEL_UPDATE", payloads.channel_obj(fd.world, chan))
    fd.signal.bump()


async def deny_bot(fd: FakeDiscord, channel: Ref, permissions: int) -> None:
    """Take `permissions` from the bot in a channel (a member overwrite beats its roles)."""
    await set_overwrite(fd, channel, fd.world.bot, deny=permissions)


async def delete_channel(fd: FakeDiscord, channel: Ref) -> Channel:
    """Delete a guild channel (and its threads) or a thread: later requests get 404 Unknown Channel."""
    chan = fd.world.channel(channel)
    guild = fd.world.guild_of(chan)
    assert guild is not None, "only guild channels can be deleted"
    for gone in [c for c in fd.world.channels.values() if c.id == chan.id or c.parent_id == chan.id and c.is_thread]:
        del fd.world.channels[gone.id]
        guild.channel_ids.remove(gone.id)
    if chan.is_thread:
        await fd.dispatch_to_guild(guild, "THREAD_DELETE", {"id": str(chan.id), "guild_id": str(guild.id),
                                                            "parent_id": str(chan.parent_id), "type": chan.type})
    else:
        await fd.dispatch_to_guild(guild, "CHANNEL_DELETE", payloads.channel_obj(fd.world, chan))
    fd.signal.bump()
    return chan


def thread_on(fd: FakeDiscord, message: Ref) -> Channel | None:
    """The thread started on a message (Discord gives it the message's id), if there is one."""
    msg: StoredMessage = fd.world.message(message)
    thread = fd.world.channels.get(msg.id)
    return thread if thread is not None and thread.is_thread else None


def threads_of(fd: FakeDiscord, channel: Ref) -> list[Channel]:
    chan = fd.world.channel(channel)
    return [c for c in fd.world.channels.values() if c.is_thread and c.parent_id == chan.id]
