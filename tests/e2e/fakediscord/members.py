"""What members do besides commands: write a message in a channel or a thread.

The message is stored and announced as Discord does: MESSAGE_CREATE to the sessions with
the GUILD_MESSAGES (DIRECT_MESSAGES) intent that can see the channel, its content, embeds, attachments and
components blanked for a session without the privileged MESSAGE_CONTENT intent unless the
message mentions the bot or is a DM to it.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from . import payloads
from .gateway import INTENT_DM_MESSAGES, INTENT_GUILD_MESSAGES
from .world import SEND_MESSAGES, SEND_MESSAGES_IN_THREADS, VIEW_CHANNEL, Ref, StoredMessage

if TYPE_CHECKING:
    from .server import FakeDiscord

INTENT_MESSAGE_CONTENT = 1 << 15
CONTENT_MAX = 2000
BLANKED = {"content": "", "embeds": [], "attachments": [], "components": []}


class CannotWrite(PermissionError):
    """The member may not write there (Discord's client would not let them)."""


async def write(fd: FakeDiscord, user: Ref, channel: Ref, content: str) -> StoredMessage:
    world = fd.world
    author, where = world.user(user), world.channel(channel)
    if not 1 <= len(content) <= CONTENT_MAX:
        raise ValueError(f"a message has 1-{CONTENT_MAX} characters, not {len(content)}")
    if where.guild_id is not None:
        perms = world.permissions(author.id, where)
        needed = SEND_MESSAGES_IN_THREADS if where.is_thread else SEND_MESSAGES
        if not perms & VIEW_CHANNEL or not perms & needed:
            raise CannotWrite(f"{author.username} may not write in #{where.name}")
    stored = StoredMessage(payloads.message_obj(world, where, author, {"content": content}))
    world.messages[stored.id] = stored
    where.last_message_id = stored.id
    where.message_count += 1
    event = payloads.message_event(world, stored.data, where)
    mentioned = any(int(u["id"]) == world.bot.id for u in stored.data["mentions"])
    intent = INTENT_GUILD_MESSAGES if where.guild_id else INTENT_DM_MESSAGES
    hidden = where.guild_id is not None and not world.permissions(world.bot.id, where) & VIEW_CHANNEL
    if fd.message_events and not hidden:  # Discord sends nothing from a channel the bot can't see
        for session in [s for s in fd.sessions if s.open and s.wants(intent)]:
            readable = session.wants(INTENT_MESSAGE_CONTENT) or mentioned or where.guild_id is None
            await session.dispatch("MESSAGE_CREATE", event if readable else {**copy.deepcopy(event), **BLANKED})
    fd.signal.bump()
    return stored
