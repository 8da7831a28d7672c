"""REST router and the bot-authenticated endpoints (users, application, commands, guilds, channels)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import payloads
from .messaging import (
    check_can_send,
    check_embed_links,
    check_message,
    create_message,
    delete_message,
    edit_message,
)
from .recorder import RestCall
from .util import ApiError, Reply, snowflake
from .validate import command_issues, describe, form_error
from .world import (
    ADD_REACTIONS,
    CREATE_PRIVATE_THREADS,
    CREATE_PUBLIC_THREADS,
    MANAGE_MESSAGES,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    VIEW_CHANNEL,
    Channel,
    Guild,
    StoredMessage,
)

if TYPE_CHECKING:
    from .server import FakeDiscord

Params = dict[str, str]
Handler = Callable[["FakeDiscord", RestCall, Params], Awaitable[Reply]]


@dataclass
class RouteSpec:
    method: str
    template: str
    pattern: re.Pattern[str]
    handler: Handler
    auth: bool  # requires "Authorization: Bot <token>" (interaction/webhook routes do not)


class Router:
    """(method, "/channels/{channel_id}/messages") table; first match wins, so literals go first."""

    def __init__(self) -> None:
        self.routes: list[RouteSpec] = []

    def add(self, method: str, template: str, handler: Handler, *, auth: bool = True) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", re.escape(template).replace(r"\{", "{").replace(r"\}", "}"))
        self.routes.append(RouteSpec(method, template, re.compile(f"^{regex}$"), handler, auth))

    def match(self, method: str, path: str) -> tuple[RouteSpec, Params] | None:
        for route in self.routes:
            m = route.pattern.match(path)
            if m and route.method == method:
                return route, m.groupdict()
        return None


# -- lookups that raise Discord's errors ------------------------------------------------------------

def get_channel(fd: FakeDiscord, channel_id: str) -> Channel:
    channel = fd.world.channels.get(int(channel_id)) if channel_id.isdigit() else None
    if channel is None:
        raise ApiError(404, 10003, "Unknown Channel")
    if channel.guild_id and not fd.world.permissions(fd.world.bot.id, channel) & VIEW_CHANNEL:
        raise ApiError(403, 50001, "Missing Access")
    return channel


def get_guild(fd: FakeDiscord, guild_id: str) -> Guild:
    guild = fd.world.guilds.get(int(guild_id)) if guild_id.isdigit() else None
    if guild is None:
        raise ApiError(404, 10004, "Unknown Guild")
    return guild


def get_message(fd: FakeDiscord, channel: Channel, message_id: str) -> StoredMessage:
    msg = fd.world.messages.get(int(message_id)) if message_id.isdigit() else None
    if msg is None or msg.deleted or msg.ephemeral or msg.channel_id != channel.id:
        raise ApiError(404, 10008, "Unknown Message")
    return msg


def body_dict(call: RestCall) -> dict[str, Any]:
    if not isinstance(call.json, dict):
        raise ApiError(400, 50109, "The request body contains invalid JSON.")
    return call.json


# -- users, application, gateway ---------------------------------------------------------------------

async def get_me(fd: FakeDiscord, call: RestCall, p: Params) -> Reply:
    return Reply(200, payloads.me_obj(fd.world.bot))


async def get_user(fd: FakeDiscord, call: RestCall, p: Params) -> Reply:
    user = fd.world.users.get(int(p["user_id"])) if p["user_id"].isdigit() else None
    if user is None:
        raise ApiError(404, 10013, "Unknown User")
    return Reply(200, payloads.user_obj(user))


async def open_dm(fd: FakeDiscord, call: RestCall, p: Params) -> Reply:
    rid = str(body_dict(call).get("recipient_id", ""))
    user = fd.world.users.get(int(rid)) if rid.isdigit() else None
    if user is None:
        raise ApiError(400, 50033, "Invalid Recipient(s)")
    return Reply(200, payloads.channel_obj(fd.world, fd.world.dm_channel_for(user)))


async def get_application(fd: FakeDiscord, call: RestCall, p: Params) -> Reply:
    return Reply(200, payloads.application_obj(fd.world))


async def get_gateway(fd: FakeDiscord, call: RestCall, p: Params) -> Reply:
    body: dict[str, Any] = {"url": fd.resume_gateway_url}
    if call.path.endswith("/bot"):
        body.update(shards=1, session_start_limit={"total": 1000, "remaining": 999, "reset_after": 0,
                                                   "max_concurrency": 1})
    return Reply(200, body)


# -- application commands ------------------------------------------------------------------------------

def _scope(fd: FakeDiscord, p: Params) -> int | None:
    if p["app_id"] != str(fd.world.application_id):
        raise ApiError(403, 50001, "Missing Access")
    if "guild_id" in p:
        if not p["guild_id"].isdigit() or int(p["guild_id"]) not in fd.world.guilds:
            raise ApiError(403, 50001, "Missing Access")
        return int(p["guild_id"])
    return None


async def get_commands(fd: FakeDiscord, call: RestCall, p: Params) -> Reply:
    return Reply(200, fd.world.commands.get(_scope(fd, p), []))


async def put_commands(fd: FakeDiscord, call: RestCall, p: Params) -> Reply:
    scope = _scope(fd, p)
    if not isinstance(call.json, list):
        raise form_error([((), "BASE_TYPE_ARRAY", "Must be an array")])
    issues = command_issues(call.json)
    if issues:
        fd.recorder.problem("invalid_command", describe(issues), call)
        raise form_error(issues)
    old = {(c["type"], c["name"]): c["id"] for c in fd.world.commands.get(scope, [])}
    stored = []
    for cmd in call.json:
        ctype = cmd.get("type", 1)
        obj = {"default_member_permissions": None, "dm_permission": True, "nsfw": False, "contexts": None,
               "integration_types": [0], "name_localizations": None, "description_localizations": None,
               "options": [], **{k: v for k, v in cmd.items() if v is not None}}
        obj.update(id=old.get((ctype, cmd["name"])) or str(snowflake()), application_id=str(fd.world.application_id),
                   version=str(snowflake()), type=ctype, description=cmd.get("description", ""))
        if scope is not None:
            obj["guild_id"] = str(scope)
        stored.append(obj)
    fd.world.commands[scope] = stored
    fd.signal.bump()
    return Reply(200, stored)


# -- guilds ---------------------------------------------------------------------------------------------

async def guild_get(fd: FakeDiscord, call: RestCall, p: Params) -> Reply:
    return Reply(200, payloads.guild_obj(fd.world, get_guild(fd, p["guild_id"])))


async def guild_channels(fd: FakeDiscord, call: RestCall, p: Params) -> Reply:
    guild = get_guild(fd, p["guild_id"])
    chans = [fd.world.channels[c] for c in guild.channel_ids]
    return Reply(200, [payloads.channel_obj(fd.world, c) for c in chans if not c.is_thread])


async def guild_roles(fd: FakeDiscord, call: RestCall, p: Params) -> Reply:
    return Reply(200, [payloads.role_obj(r) for r in get_guild(fd, p["guild_id"]).roles.values()])


async def guild_member(fd: FakeDiscord, call: RestCall, p: Params) -> Reply:
    member = get_guild(fd, p["guild_id"]).members.get(int(p["user_id"]) if p["user_id"].isdigit() else 0)
    if member is None:
        raise ApiError(404, 10007, "Unknown Member")
    return Reply(200, payloads.member_obj(member))


# -- channels and messages ---------------------------------------------------------------------------------

async def channel_get(fd: FakeDiscord, call: RestCall, p: Params) -> Reply:
    return Reply(200, payloads.channel_obj(fd.world, get_channel(fd, p["channel_id"])))


# Discord remembers an enforced nonce for a few minutes.
NONCE_WINDOW = 300.0


async def message_post(fd: FakeDiscord, call: RestCall, p: Params) -> Reply:
    channel = get_channel(fd, p["channel_id"])
    body = body_dict(call)
    check_can_send(fd, channel, call)
    check_embed_links(fd, channel, body)
    check_message(fd, call, body, creating=True)
    # enforce_nonce: the same nonce in the same channel within the window returns the stored message.
    key = (channel.id, str(body["nonce"])) if body.get("enforce_nonce") and body.get("nonce") is not None else None
    if key is not None and key in fd.world.nonces:
        when, message_id = fd.world.nonces[key]
        stored = fd.world.messages.get(message_id)
        if stored is not None and not stored.deleted and fd.loop_time() - when < NONCE_WINDOW:
            return Reply(200, stored.data)
    stored = await create_message(fd, channel, body, call=call)
    if key is not None:
        fd.world.nonces[key] = (fd.loop_time(), stored.id)
    return Reply(200, stored.data)


async def message_list(fd: FakeDiscord, call: RestCall, p: Params) -> Reply:
    channel = get_channel(fd, p["channel_id"])
    limit = max(1, min(100, int(call.query.get("limit", 50))))
    before, after = int(call.query.get("before", 1 << 63)), int(call.query.get("after", 0))
    msgs = [m for m in fd.world.messages.values()
            if m.channel_id == channel.id and not m.deleted and not m.ephemeral and after < m.id < before]
    msgs.sort(key=lambda m: m.id, reverse="after" not in call.query)
    return Reply(200, [m.data for m in msgs[:limit]])


async def message_get(fd: FakeDiscord, call: RestCall, p: Params) -> Reply:
    return Reply(200, get_message(fd, get_channel(fd, p["channel_id"]), p["message_id"]).data)


async def message_patch(fd: FakeDiscord, call: RestCall, p: Params) -> Reply:
    msg = get_message(fd, get_channel(fd, p["channel_id"]), p["message_id"])
    if int(msg.data["author"]["id"]) != fd.world.bot.id:
        raise ApiError(403, 50005, "Cannot edit a message authored by another user")
    check_embed_links(fd, get_channel(fd, p["channel_id"]), body_dict(call))
    return Reply(200, (await edit_message(fd, msg, body_dict(call), call=call)).data)


async def message_delete(fd: FakeDiscord, call: RestCall, p: Params) -> Reply:
    channel = get_channel(fd, p["channel_id"])
    msg = get_message(fd, channel, p["message_id"])
    own = int(msg.data["author"]["id"]) == fd.world.bot.id
    if not own and not fd.world.permissions(fd.world.bot.id, channel) & MANAGE_MESSAGES:
        raise ApiError(403, 50013, "Missing Permissions")
    await delete_message(fd, msg)
    return Reply(204)


async def typing(fd: FakeDiscord, call: RestCall, p: Params) -> Reply:
    get_channel(fd, p["channel_id"])
    return Reply(204)


def _emoji(raw: str) -> dict[str, Any]:
    name, _, eid = raw.partition(":")
    return {"id": eid or None, "name": name}


async def reaction_put(fd: FakeDiscord, call: RestCall, p: Params) -> Reply:
    channel = get_channel(fd, p["channel_id"])
    msg = get_message(fd, channel, p["message_id"])
    if channel.guild_id and not fd.world.permissions(fd.world.bot.id, channel) & ADD_REACTIONS:
        raise ApiError(403, 50013, "Missing Permissions")
    emoji = _emoji(p["emoji"])
    reactions = msg.data.setdefault("reactions", [])
    existing = next((r for r in reactions if r["emoji"] == emoji), None)
    if existing is None:
        reactions.append({"emoji": emoji, "count": 1, "count_details": {"burst": 0, "normal": 1}, "me": True,
                          "me_burst": False, "burst_me": False, "burst_colors": [], "burst_count": 0})
    elif not existing["me"]:
        existing.update(me=True, count=existing["count"] + 1)
    fd.signal.bump()
    return Reply(204)


async def reaction_delete(fd: FakeDiscord, call: RestCall, p: Params) -> Reply:
    msg = get_message(fd, get_channel(fd, p["channel_id"]), p["message_id"])
    emoji = _emoji(p["emoji"])
    for r in list(msg.data.get("reactions", [])):
        if r["emoji"] == emoji and r["me"]:
            r.update(me=False, count=r["count"] - 1)
            if r["count"] <= 0:
                msg.data["reactions"].remove(r)
    fd.signal.bump()
    return Reply(204)


ARCHIVE_MINUTES = (60, 1440, 4320, 10080)  # the auto-archive durations Discord accepts


async def _create_thread(fd: FakeDiscord, call: RestCall, parent: Channel, ttype: int,
                         thread_id: int | None = None) -> Channel:
    body = body_dict(call)
    name = str(body.get("name") or "")
    if not 1 <= len(name) <= 100:
        raise form_error([(("name",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")])
    archive = body.get("auto_archive_duration")
    if archive is not None and archive not in ARCHIVE_MINUTES:
        raise form_error([(("auto_archive_duration",), "BASE_TYPE_CHOICES",
                           f"Value must be one of {set(ARCHIVE_MINUTES)}.")])
    needed = CREATE_PRIVATE_THREADS if ttype == PRIVATE_THREAD else CREATE_PUBLIC_THREADS
    if parent.guild_id is None or parent.is_thread:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    if not fd.world.permissions(fd.world.bot.id, parent) & needed:
        raise ApiError(403, 50013, "Missing Permissions")
    guild = fd.world.guilds[parent.guild_id]
    thread = fd.world.add_channel(guild, name, type=ttype, parent=parent, owner_id=fd.world.bot.id, id=thread_id)
    event = {**payloads.channel_obj(fd.world, thread), "newly_created": True}
    await fd.dispatch_to_guild(guild, "THREAD_CREATE", event)
    fd.signal.bump()
    return thread


async def thread_post(fd: FakeDiscord, call: RestCall, p: Params) -> Reply:
    parent = get_channel(fd, p["channel_id"])
    thread = await _create_thread(fd, call, parent, int(body_dict(call).get("type") or PRIVATE_THREAD))
    return Reply(201, payloads.channel_obj(fd.world, thread))


async def thread_from_message(fd: FakeDiscord, call: RestCall, p: Params) -> Reply:
    parent = get_channel(fd, p["channel_id"])
    msg = get_message(fd, parent, p["message_id"])
    if "thread" in msg.data:
        raise ApiError(400, 160004, "A thread has already been created for this message")
    thread = await _create_thread(fd, call, parent, PUBLIC_THREAD, thread_id=msg.id)
    msg.data["thread"] = payloads.channel_obj(fd.world, thread)
    msg.data["flags"] = msg.flags | 32  # HAS_THREAD
    return Reply(201, payloads.channel_obj(fd.world, thread))


def core_routes(router: Router) -> None:
    add = router.add
    add("GET", "/users/@me", get_me)
    add("POST", "/users/@me/channels", open_dm)
    add("GET", "/users/{user_id}", get_user)
    add("GET", "/oauth2/applications/@me", get_application)
    add("GET", "/gateway", get_gateway, auth=False)
    add("GET", "/gateway/bot", get_gateway)
    for tpl in ("/applications/{app_id}/commands", "/applications/{app_id}/guilds/{guild_id}/commands"):
        add("GET", tpl, get_commands)
        add("PUT", tpl, put_commands)
    add("GET", "/guilds/{guild_id}", guild_get)
    add("GET", "/guilds/{guild_id}/channels", guild_channels)
    add("GET", "/guilds/{guild_id}/roles", guild_roles)
    add("GET", "/guilds/{guild_id}/members/{user_id}", guild_member)
    add("GET", "/channels/{channel_id}", channel_get)
    add("GET", "/channels/{channel_id}/messages", message_list)
    add("POST", "/channels/{channel_id}/messages", message_post)
    add("GET", "/channels/{channel_id}/messages/{message_id}", message_get)
    add("PATCH", "/channels/{channel_id}/messages/{message_id}", message_patch)
    add("DELETE", "/channels/{channel_id}/messages/{message_id}", message_delete)
    add("POST", "/channels/{channel_id}/typing", typing)
    add("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", reaction_put)
    add("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", reaction_delete)
    add("POST", "/channels/{channel_id}/threads", thread_post)
    add("POST", "/channels/{channel_id}/messages/{message_id}/threads", thread_from_message)
