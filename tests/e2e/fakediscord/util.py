"""Shared helpers: snowflakes, timestamps, JSON replies, API errors and waiting."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from aiohttp import web

T = TypeVar("T")

DISCORD_EPOCH_MS = 1420070400000
_last_snowflake = 0


def snowflake() -> int:
    """A realistic, strictly increasing Discord snowflake (timestamp << 22 | worker | counter)."""
    global _last_snowflake
    value = ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | (1 << 17)
    _last_snowflake = max(value, _last_snowflake + 1)
    return _last_snowflake


def iso_now() -> str:
    """Discord-style ISO-8601 timestamp with microseconds and +00:00."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


class EmulatorTimeout(AssertionError):
    """Raised by every actor wait; an AssertionError so pytest shows it as a failure."""


class ApiError(Exception):
    """Raised by handlers; turned into Discord's JSON error body."""

    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None):
        super().__init__(f"{status} {code} {message}")
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


@dataclass
class Reply:
    """What a REST handler returns; converted by `to_response`."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def to_response(reply: Reply) -> web.Response:
    """Build the aiohttp response. Content-Type must be exactly application/json (discord.py compares with ==)."""
    if reply.status == 204 or reply.body is None:
        return web.Response(status=reply.status if reply.status != 200 else 204, headers=reply.headers)
    headers = {"Content-Type": "application/json", **reply.headers}
    return web.Response(status=reply.status, body=json.dumps(reply.body).encode(), headers=headers)


class Signal:
    """Wakes every waiter whenever emulator state changes. Checks are also re-run every `poll`
    seconds so a wait can include state outside the emulator (e.g. the bot's own attributes)."""

    poll = 0.05

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def bump(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(
        self, check: Callable[[], T | None], timeout: float, what: str, diagnose: Callable[[], str] = lambda: ""
    ) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = check()
            if result is not None:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise EmulatorTimeout(f"fakediscord: timed out after {timeout:.1f}s waiting for {what}{diagnose()}")
            event = self._event
            try:
                await asyncio.wait_for(event.wait(), min(remaining, self.poll))
            except TimeoutError:
                pass
