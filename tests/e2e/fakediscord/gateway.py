"""Gateway sessions: HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeats, RESUME, dispatches.

Frames are plain JSON TEXT frames whatever `compress=` the client asked for; discord.py only
decompresses binary frames.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from . import payloads

if TYPE_CHECKING:
    from .server import FakeDiscord

HEARTBEAT_INTERVAL_MS = 41250
INTENT_MEMBERS, INTENT_GUILD_MESSAGES, INTENT_DM_MESSAGES = 1 << 1, 1 << 9, 1 << 12


@dataclass
class Frame:
    """A gateway frame, recorded in both directions."""

    direction: str  # "in" (from the bot) or "out"
    op: int
    t: str | None
    d: Any


def shard_guilds(world: Any, shard: list[int] | None) -> list[Any]:
    """The guilds a session gets: all, or with IDENTIFY's shard [i, n] those with (id >> 22) % n == i."""
    guilds = list(world.guilds.values())
    if not shard or shard[1] <= 1:
        return guilds
    return [g for g in guilds if (g.id >> 22) % shard[1] == shard[0]]


class GatewaySession:
    """One WebSocket connection (a resumed connection takes over the old session id and seq)."""

    def __init__(self, fd: FakeDiscord, ws: web.WebSocketResponse, query: dict[str, str]) -> None:
        self.fd, self.ws, self.query = fd, ws, query
        self.session_id = secrets.token_hex(16)
        self.seq = 0
        self.intents = 0
        self.identified = False
        self.identify: dict[str, Any] | None = None
        self._lock = asyncio.Lock()

    @property
    def open(self) -> bool:
        return self.identified and not self.ws.closed

    async def send(self, op: int, d: Any = None, t: str | None = None) -> None:
        async with self._lock:
            if self.ws.closed:
                return
            seq: int | None = None
            if op == 0:
                self.seq += 1
                seq = self.seq
            self.fd.frames.append(Frame("out", op, t, d))
            await self.ws.send_str(json.dumps({"op": op, "d": d, "s": seq, "t": t}))

    async def dispatch(self, t: str, d: Any) -> None:
        await self.send(0, d, t)

    def wants(self, intent: int) -> bool:
        return bool(self.intents & intent)

    async def run(self) -> None:
        await self.send(10, {"heartbeat_interval": HEARTBEAT_INTERVAL_MS, "_trace": ['["fakediscord",{}]']})
        async for msg in self.ws:
            if msg.type == WSMsgType.TEXT:
                await self._on_frame(json.loads(msg.data))
            elif msg.type == WSMsgType.BINARY:
                self.fd.recorder.problem("unhandled", "binary (ETF/compressed) gateway frame from the client")
            elif msg.type == WSMsgType.ERROR:
                break

    async def _on_frame(self, frame: dict[str, Any]) -> None:
        op: int = int(frame.get("op", -1))
        d: Any = frame.get("d")
        self.fd.frames.append(Frame("in", op, None, d))
        if op == 1:  # HEARTBEAT
            await self.send(11)
        elif op == 2:  # IDENTIFY
            await self._identify(d)
        elif op == 6:  # RESUME
            await self._resume(d)
        elif op == 8:  # REQUEST_GUILD_MEMBERS
            await self._members_chunk(d)
        elif op in (3, 4):  # presence / voice state update: accepted, ignored
            pass
        else:
            self.fd.recorder.problem("unhandled", f"gateway op {op} from the client")
        self.fd.signal.bump()

    async def _identify(self, d: dict[str, Any]) -> None:
        if d.get("token") != self.fd.world.token:
            await self.ws.close(code=4004, message=b"Authentication failed.")
            return
        self.identify, self.intents = d, int(d.get("intents", 0))
        self.fd.sessions_by_id[self.session_id] = self
        world = self.fd.world
        ready = payloads.ready(world, self.session_id, self.fd.resume_gateway_url, self.intents)
        guilds = shard_guilds(world, d.get("shard"))
        if d.get("shard"):  # READY lists, and names, the session's shard only
            ready.update(guilds=[{"id": str(g.id), "unavailable": True} for g in guilds], shard=list(d["shard"]))
        await self.dispatch("READY", ready)
        for guild in guilds:
            data = payloads.guild_create(world, guild, all_members=self.wants(INTENT_MEMBERS))
            await self.dispatch("GUILD_CREATE", data)
        self.identified = True

    async def _resume(self, d: dict[str, Any]) -> None:
        old = self.fd.sessions_by_id.get(d.get("session_id", ""))
        if d.get("token") != self.fd.world.token or old is None:
            await self.send(9, False)  # INVALID_SESSION, not resumable
            return
        self.session_id, self.seq, self.intents, self.identify = old.session_id, old.seq, old.intents, old.identify
        self.identified = True
        self.fd.sessions_by_id[self.session_id] = self
        await self.dispatch("RESUMED", {"_trace": ['["fakediscord",{}]']})

    async def _members_chunk(self, d: dict[str, Any]) -> None:
        guild = self.fd.world.guilds.get(int(d.get("guild_id", 0)))
        if guild is None:
            return
        wanted = {int(u) for u in d.get("user_ids") or []}
        members = [payloads.member_obj(m) for m in guild.members.values() if not wanted or m.user.id in wanted]
        await self.dispatch("GUILD_MEMBERS_CHUNK", {"guild_id": str(guild.id), "members": members,
                                                     "chunk_index": 0, "chunk_count": 1, "nonce": d.get("nonce")})


async def websocket_handler(fd: FakeDiscord, request: web.Request) -> web.WebSocketResponse:
    """aiohttp handler for the gateway endpoint (`/` for Option B, `/gateway` for Option A)."""
    ws = web.WebSocketResponse(max_msg_size=0, timeout=1.0)
    await ws.prepare(request)
    session = GatewaySession(fd, ws, dict(request.query))
    fd.sessions.append(session)
    fd.gateway_queries.append(dict(request.query))
    try:
        await session.run()
    finally:
        fd.signal.bump()
    return ws
