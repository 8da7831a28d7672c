"""Create / edit / delete messages: validation, storage and MESSAGE_* gateway events."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from . import payloads
from .recorder import RestCall
from .util import ApiError, iso_now
from .validate import describe, form_error, message_issues
from .world import (
    ATTACH_FILES,
    EMBED_LINKS,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    VIEW_CHANNEL,
    Channel,
    StoredMessage,
    User,
)

if TYPE_CHECKING:
    from .server import FakeDiscord


def check_upload_size(fd: FakeDiscord, call: RestCall | None) -> None:
    """Files over the upload limit (10 MiB in all, without boosts) are refused with 413 / 40005."""
    size = sum(len(f.data) for f in call.files) if call else 0
    if size > payloads.ATTACHMENT_SIZE_LIMIT:
        fd.recorder.problem("limit", f"files of {size:,} bytes > {payloads.ATTACHMENT_SIZE_LIMIT:,}", call)
        raise ApiError(413, 40005, "Request entity too large")


def check_message(fd: FakeDiscord, call: RestCall | None, body: dict[str, Any], *, creating: bool) -> None:
    """Enforce Discord's limits; a violation is answered with 50035 AND recorded as a `limit` problem."""
    check_upload_size(fd, call)
    issues = message_issues(body, has_files=bool(call and call.files), creating=creating)
    if issues:
        fd.recorder.problem("limit", describe(issues), call)
        raise form_error(issues)


def check_can_send(fd: FakeDiscord, channel: Channel, call: RestCall) -> None:
    """403s the way Discord answers them: 50001 (can't see), 50013 (can't send), 50007 (DMs closed)."""
    world = fd.world
    if channel.guild_id is None:
        recipient = channel.recipients[0]
        if recipient.bot or not recipient.dms_open:
            raise ApiError(403, 50007, "Cannot send messages to this user")
        return
    perms = world.permissions(world.bot.id, channel)
    if not perms & VIEW_CHANNEL:
        raise ApiError(403, 50001, "Missing Access")
    needed = SEND_MESSAGES_IN_THREADS if channel.is_thread else SEND_MESSAGES
    if not perms & needed or (call.files and not perms & ATTACH_FILES):
        raise ApiError(403, 50013, "Missing Permissions")


def check_embed_links(fd: FakeDiscord, channel: Channel, body: dict[str, Any]) -> None:
    """A bot's message with embeds needs Embed Links where it posts (threads: their parent's)."""
    if body.get("embeds") and not fd.world.permissions(fd.world.bot.id, channel) & EMBED_LINKS:
        raise ApiError(403, 50013, "Missing Permissions")


def _attachments(call: RestCall | None, channel: Channel) -> list[dict[str, Any]]:
    return [payloads.attachment_obj(channel.id, f.filename, len(f.data), f.content_type)
            for f in (call.files if call else [])]


async def create_message(
    fd: FakeDiscord, channel: Channel, body: dict[str, Any], *, call: RestCall | None,
    author: User | None = None, type: int = 0, webhook_id: int | None = None,
    interaction_id: int | None = None, interaction: dict[str, Any] | None = None, loading: bool = False,
) -> StoredMessage:
    world = fd.world
    data = payloads.message_obj(world, channel, author or world.bot, body, type=type, webhook_id=webhook_id,
                                attachments=_attachments(call, channel), interaction=interaction)
    stored = StoredMessage(data, interaction_id=interaction_id, loading=loading)
    world.messages[stored.id] = stored
    if not stored.ephemeral:
        channel.last_message_id = stored.id
        channel.message_count += 1
        await fd.dispatch_message_event("MESSAGE_CREATE", stored)
    fd.signal.bump()
    return stored


async def edit_message(fd: FakeDiscord, stored: StoredMessage, body: dict[str, Any], *,
                       call: RestCall | None) -> StoredMessage:
    """Apply a PATCH (only the keys present), validating the merged result."""
    merged = {k: stored.data.get(k) for k in ("content", "embeds", "components", "flags")}
    merged.update({k: body[k] for k in merged if k in body})
    check_message(fd, call, merged, creating=False)
    stored.edits.append(copy.deepcopy(stored.data))
    data = stored.data
    if "content" in body:
        data["content"] = body["content"] or ""
    if "embeds" in body:
        data["embeds"] = payloads.normalise_embeds(body["embeds"] or [])
    if "components" in body:
        data["components"] = payloads.normalise_components(body["components"] or [])
    if "flags" in body and body["flags"] is not None:
        data["flags"] = (data.get("flags", 0) & (64 | 128)) | int(body["flags"])
    if "attachments" in body or (call and call.files):
        keep = {str(a.get("id")) for a in body.get("attachments") or []}
        data["attachments"] = [a for a in data["attachments"] if a["id"] in keep] + _attachments(
            call, fd.world.channels[stored.channel_id])
    if stored.loading:  # resolving a deferred "thinking" message
        stored.loading = False
        data["flags"] = data.get("flags", 0) & ~128
    data["edited_timestamp"] = iso_now()
    if not stored.ephemeral:
        await fd.dispatch_message_event("MESSAGE_UPDATE", stored)
    fd.signal.bump()
    return stored


async def delete_message(fd: FakeDiscord, stored: StoredMessage) -> None:
    stored.deleted = True
    channel = fd.world.channels[stored.channel_id]
    if not stored.ephemeral:
        event: dict[str, Any] = {"id": str(stored.id), "channel_id": str(channel.id)}
        if channel.guild_id:
            event["guild_id"] = str(channel.guild_id)
        await fd.dispatch_to_message_listeners(channel, "MESSAGE_DELETE", event)
    fd.signal.bump()
