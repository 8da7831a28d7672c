"""FakeDiscord: the aiohttp app (REST under /api/v10 + gateway WebSocket) and the test-facing API."""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import json
import socket
from collections.abc import Callable
from typing import Any, Literal, TypeVar

import aiohttp
from aiohttp import web

from . import actors, members, payloads, transport, visibility
from .actors import InteractionHandle
from .gateway import (
    INTENT_DM_MESSAGES,
    INTENT_GUILD_MESSAGES,
    Frame,
    GatewaySession,
    websocket_handler,
)
from .interactions import InteractionState, interaction_routes
from .ratelimit import RateLimits
from .recorder import Fault, Problem, Recorder, RestCall, UploadedFile, rate_limit_reply
from .rest import Router, core_routes
from .util import ApiError, Reply, Signal, to_response
from .world import Channel, Guild, Ref, StoredMessage, User, World, ref_id

T = TypeVar("T")
API_PREFIX = "/api/v10"
Transport = Literal["tls", "plain"]


class FakeDiscord:
    """In-process Discord API + Gateway emulator on an ephemeral 127.0.0.1 port.

    transport="tls"   Option B: serve HTTPS/WSS; give the bot `fd.connector()` (nothing patched).
    transport="plain" Option A: serve HTTP/WS; use `with fd.patch_discord():` around the bot's life.
    """

    def __init__(self, world: World | None = None, *, transport: Transport = "tls", ack_deadline: float = 3.0,
                 token_ttl: float = 15 * 60.0) -> None:
        self.world = world or World.default()
        self.transport: Transport = transport
        self.ack_deadline, self.token_ttl = ack_deadline, token_ttl
        self.message_events = True  # dispatch MESSAGE_CREATE/UPDATE/DELETE for bot messages, like Discord
        self.recorder = Recorder()
        self.rate_limits = RateLimits()  # per route and channel/guild; `fd.rate_limits.limit = 0` turns it off
        self.router = Router()
        core_routes(self.router)
        interaction_routes(self.router)
        self.sessions: list[GatewaySession] = []
        self.sessions_by_id: dict[str, GatewaySession] = {}
        self.gateway_queries: list[dict[str, str]] = []
        self.frames: list[Frame] = []
        self.interactions: dict[int, InteractionState] = {}
        self.interactions_by_token: dict[str, InteractionState] = {}
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._signal: Signal | None = None

    # -- lifecycle ------------------------------------------------------------------------------------
    async def start(self) -> FakeDiscord:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._handle_rest)
        for path in ("/", "/gateway", "/gateway/"):
            app.router.add_get(path, self._handle_ws)
        app.router.add_route("*", "/{tail:.*}", self._handle_stray)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        ssl_ctx = transport.server_ssl_context() if self.transport == "tls" else None
        await web.SockSite(self._runner, sock, ssl_context=ssl_ctx).start()
        return self

    async def stop(self) -> None:
        for session in self.sessions:
            if not session.ws.closed:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(session.ws.close(code=1001), 1.0)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- wiring discord.py ----------------------------------------------------------------------------------
    @property
    def token(self) -> str:
        return self.world.token

    @property
    def resume_gateway_url(self) -> str:
        if self.transport == "tls":
            return f"wss://{transport.GATEWAY_HOST}"
        return f"ws://127.0.0.1:{self.port}/gateway"

    def connector(self) -> aiohttp.TCPConnector:
        """Option B: pass as `connector=` or set `bot.http.connector` before `bot.start()` (inside the loop)."""
        assert self.transport == "tls", "connector() needs transport='tls'"
        return transport.loopback_connector(self.port)

    def patch_discord(self) -> contextlib.AbstractContextManager[None]:
        """Option A: patch Route.BASE / DEFAULT_GATEWAY for the duration of the `with` block."""
        assert self.transport == "plain", "patch_discord() needs transport='plain'"
        return transport.patch_discord_urls(f"http://127.0.0.1:{self.port}{API_PREFIX}", self.resume_gateway_url)

    # -- waiting -------------------------------------------------------------------------------------------
    @property
    def signal(self) -> Signal:
        if self._signal is None:
            self._signal = Signal()
        return self._signal

    def loop_time(self) -> float:
        return asyncio.get_running_loop().time()

    async def wait_until(self, check: Callable[[], T | None], timeout: float, what: str) -> T:
        """Wait (never sleep) until `check()` returns non-None; times out with recent calls in the message."""
        return await self.signal.wait_until(check, timeout, what, self._diagnose)

    def _diagnose(self) -> str:
        problems = "".join(f"\n  ! {p}" for p in self.recorder.problems)
        return f"\nrecent REST calls:\n{self.recorder.tail()}{problems}"

    async def wait_until_connected(self, timeout: float = 10.0) -> GatewaySession:
        """The identified gateway session (bots call tree.sync in setup_hook, before IDENTIFY)."""
        def check() -> GatewaySession | None:
            return next((s for s in reversed(self.sessions) if s.open), None)
        return await self.wait_until(check, timeout, "the bot to IDENTIFY on the gateway")

    # -- actors: what simulated users do -----------------------------------------------------------------
    async def slash(self, user: Ref, channel: Ref, command: str, /, **options: Any) -> InteractionHandle:
        """Run `/command` (or "group sub", e.g. "digest channel") as `user` in `channel` with typed options.
        Values: str/int/float/bool, emulator or discord.py objects (or ids/names) for user/channel/role."""
        return await actors.slash(self, user, channel, command, options)

    async def write(self, user: Ref, channel: Ref, content: str) -> StoredMessage:
        """A member writes a message in a channel or thread (MESSAGE_CREATE to the bot, see members.py)."""
        return await members.write(self, user, channel, content)

    async def autocomplete(self, user: Ref, channel: Ref, command: str, /, *, option: str, value: str,
                           timeout: float | None = None, **options: Any) -> list[dict[str, Any]]:
        """Type `value` into `option` of /command; returns the choices list the bot answered with."""
        return await actors.autocomplete(self, user, channel, command, option, value, options, timeout)

    async def click(self, user: Ref, message: Ref, custom_id: str) -> InteractionHandle:
        """Click button `custom_id` on `message` (StoredMessage, id or discord.Message); sends the full message."""
        return await actors.component(self, user, message, custom_id, None)

    async def select(self, user: Ref, message: Ref, custom_id: str, values: list[str]) -> InteractionHandle:
        """Choose `values` in the select menu `custom_id` on `message`."""
        return await actors.component(self, user, message, custom_id, values)

    # -- recorder API ------------------------------------------------------------------------------------
    def calls(self, method: str | None = None, path_glob: str | None = None) -> list[RestCall]:
        """Recorded REST calls, e.g. fd.calls("POST", "/channels/*/messages")."""
        return self.recorder.select(method, path_glob)

    async def wait_for_call(self, pred: Callable[[RestCall], bool] | None = None, timeout: float = 5.0, *,
                            method: str | None = None, path: str | None = None, after: int = 0) -> RestCall:
        """First recorded call (index >= after) matching method/path glob/pred, waiting if needed."""
        def check() -> RestCall | None:
            for call in self.recorder.calls[after:]:
                if (method is None or call.method == method.upper()) and (
                        path is None or fnmatch.fnmatchcase(call.path, path)) and (pred is None or pred(call)):
                    return call
            return None
        return await self.wait_until(check, timeout, f"a REST call {method or '*'} {path or '*'}")

    @property
    def problems(self) -> list[Problem]:
        return self.recorder.problems

    def take_problems(self, kind: str | None = None) -> list[Problem]:
        """Remove and return recorded problems (of one kind) that a test expected."""
        taken = [p for p in self.recorder.problems if kind is None or p.kind == kind]
        self.recorder.problems = [p for p in self.recorder.problems if p not in taken]
        return taken

    # -- fault injection ------------------------------------------------------------------------------------
    def inject_rate_limit(self, method: str, path_glob: str, *, retry_after: float = 0.05, is_global: bool = False,
                          times: int = 1) -> None:
        """Answer the next `times` matching requests with a retryable 429 (Via + full X-RateLimit-* set)."""
        reply = rate_limit_reply(retry_after, is_global=is_global)
        self.recorder.faults.append(Fault(method.upper(), path_glob, reply, times))

    def inject_error(self, method: str, path_glob: str, *, status: int = 503, code: int = 0,
                     message: str = "Service Unavailable", times: int = 1, after_handling: bool = False) -> None:
        """Answer the next matching requests with an error. NB: discord.py sleeps 1+2n s on 500/502/504/524.

        `after_handling`: do the request first (store the message), then answer the error, as Discord
        does when it fails after storing."""
        reply = Reply(status, {"message": message, "code": code})
        self.recorder.faults.append(Fault(method.upper(), path_glob, reply, times, after_handling))

    # -- world shortcuts ----------------------------------------------------------------------------------
    @property
    def guild(self) -> Guild:
        return self.world.guild

    @property
    def bot_user(self) -> User:
        return self.world.bot

    @property
    def admin(self) -> User:
        return self.world.user("alice")

    @property
    def member(self) -> User:
        return self.world.user("bob")

    @property
    def owner(self) -> User:
        return self.world.user("owen")

    def user(self, ref: Ref) -> User:
        return self.world.user(ref)

    def channel(self, ref: Ref) -> Channel:
        return self.world.channel(ref)

    def dm_channel(self, user: Ref) -> Channel:
        return self.world.dm_channel_for(self.world.user(user))

    def message(self, ref: Ref) -> StoredMessage:
        return self.world.message(ref)

    def messages(self, channel: Ref | None = None, *, include_ephemeral: bool = False) -> list[StoredMessage]:
        """Non-deleted messages (oldest first), optionally in one channel."""
        cid = self.world.channel(channel).id if channel is not None else None
        return sorted((m for m in self.world.messages.values() if not m.deleted
                       and (cid is None or m.channel_id == cid) and (include_ephemeral or not m.ephemeral)),
                      key=lambda m: m.id)

    async def wait_for_message(self, channel: Ref | None = None, pred: Callable[[StoredMessage], bool] | None
                               = None, timeout: float = 5.0, *, count: int = 1) -> StoredMessage:
        """The count-th bot message (in `channel`) matching `pred`; e.g. a scheduled digest post."""
        def check() -> StoredMessage | None:
            found = [m for m in self.messages(channel, include_ephemeral=True) if pred is None or pred(m)]
            return found[count - 1] if len(found) >= count else None
        return await self.wait_until(check, timeout, f"message #{count} in {channel or 'any channel'}")

    def commands(self, guild: Ref | None = None) -> list[dict[str, Any]]:
        """Synced commands: global (guild=None) or for a guild."""
        gid = None if guild is None else ref_id(guild)
        return self.world.commands.get(gid, [])

    def visible_commands(self, user: Ref, channel: Ref) -> list[str]:
        """The commands `user`'s command picker offers in `channel` (see visibility.py)."""
        return visibility.visible_commands(self.world, self.world.user(user), self.world.channel(channel))

    def set_command_permission(self, guild: Ref, command: str, target: Ref, allowed: bool) -> None:
        """A server's overwrite for a command (Server Settings → Integrations): allow or deny a member or role
        (the server itself for @everyone), instead of the command's default_member_permissions."""
        gid = ref_id(guild)
        cmd = self.world.find_command(command, gid)
        if cmd is None:
            raise LookupError(f"fakediscord: /{command} was never synced")
        self.world.command_permissions.setdefault((gid, int(cmd["id"])), {})[ref_id(target)] = allowed

    # -- gateway control ---------------------------------------------------------------------------------
    async def dispatch(self, t: str, d: Any) -> None:
        """Send a dispatch event to every identified session."""
        for session in [s for s in self.sessions if s.open]:
            await session.dispatch(t, d)

    async def dispatch_to_guild(self, guild: Guild, t: str, d: Any) -> None:
        await self.dispatch(t, d)

    async def dispatch_to_message_listeners(self, channel: Channel, t: str, d: Any) -> None:
        """MESSAGE_* events go only to sessions with the GUILD_MESSAGES / DIRECT_MESSAGES intent."""
        if not self.message_events:
            return
        intent = INTENT_GUILD_MESSAGES if channel.guild_id else INTENT_DM_MESSAGES
        for session in [s for s in self.sessions if s.open and s.wants(intent)]:
            await session.dispatch(t, d)

    async def dispatch_message_event(self, t: str, msg: StoredMessage) -> None:
        channel = self.world.channels[msg.channel_id]
        await self.dispatch_to_message_listeners(channel, t, payloads.message_event(self.world, msg.data, channel))

    async def send_reconnect(self) -> None:
        """op 7 RECONNECT: the client closes and RESUMEs at resume_gateway_url."""
        for session in [s for s in self.sessions if s.open]:
            await session.send(7)

    async def drop_connections(self, code: int = 4000) -> None:
        """Close every socket with a resumable close code."""
        for session in [s for s in self.sessions if not s.ws.closed]:
            await session.ws.close(code=code)

    # -- REST pipeline --------------------------------------------------------------------------------------
    async def _read_body(self, request: web.Request, call: RestCall) -> None:
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, aiohttp.BodyPartReader):
                    continue
                data = await part.read()
                if part.name == "payload_json":
                    call.json = json.loads(data)
                else:
                    call.files.append(UploadedFile(part.name or "", part.filename or "file", part.headers.get(
                        "Content-Type"), bytes(data)))
        elif request.can_read_body:
            raw = await request.read()
            try:
                call.json = json.loads(raw) if raw else None
            except ValueError:
                raise ApiError(400, 50109, "The request body contains invalid JSON.") from None

    async def _handle_rest(self, request: web.Request) -> web.StreamResponse:
        path = request.path[len(API_PREFIX):]
        call = RestCall(request.method, path, dict(request.query), None, dict(request.headers), self.loop_time())
        try:
            await self._read_body(request, call)
            reply = await self._route(request, call)
        except ApiError as e:
            reply = Reply(e.status, e.body())
        except Exception as e:  # an emulator bug: answer 400 (not 5xx, which discord.py retries for ~25 s)
            self.recorder.problem("emulator_error", f"{type(e).__name__}: {e}", call)
            reply = Reply(400, {"message": f"emulator error: {type(e).__name__}: {e}", "code": 0})
        call.status, call.response = reply.status, reply.body
        self.recorder.calls.append(call)
        self.signal.bump()
        return to_response(reply)

    async def _route(self, request: web.Request, call: RestCall) -> Reply:
        fault = self.recorder.take_fault(call)
        if fault is not None and not fault.after_handling:
            return fault.reply
        matched = self.router.match(call.method, call.path)
        if matched is None:
            self.recorder.problem("unhandled", f"unhandled {call.method} {call.path}", call)
            return Reply(404, {"code": 0, "message": f"emulator: unhandled {call.method} {call.path}"})
        route, params = matched
        if route.auth and request.headers.get("Authorization") != f"Bot {self.world.token}":
            return Reply(401, {"message": "401: Unauthorized", "code": 0})
        limited, headers = self.rate_limits.take(route.method, route.template, params, self.loop_time()) \
            if route.auth else (None, {})
        if limited is not None:
            return limited
        reply = await route.handler(self, call, params)
        reply = fault.reply if fault is not None else reply
        reply.headers = {**headers, **reply.headers}
        return reply

    async def _handle_ws(self, request: web.Request) -> web.StreamResponse:
        return await websocket_handler(self, request)

    async def _handle_stray(self, request: web.Request) -> web.StreamResponse:
        call = RestCall(request.method, request.path, dict(request.query), None, dict(request.headers),
                        self.loop_time(), status=404)
        self.recorder.calls.append(call)
        self.recorder.problem("unhandled", f"unhandled {request.method} {request.path} (outside {API_PREFIX})", call)
        return to_response(Reply(404, {"code": 0, "message": f"emulator: unhandled {request.method} {request.path}"}))
