"""pytest fixtures for running a real discord.py bot against FakeDiscord.

Use from a conftest.py (importing the fixtures registers them):

    from fakediscord.pytest_plugin import discord_harness, fakediscord  # noqa: F401

    async def test_x(discord_harness):
        bot = make_bot(guild_ready_timeout=0.1)   # REQUIRED at construction (default 2 s per start)
        await discord_harness.start(bot)          # wires the connector, starts, waits for on_ready
        fd = discord_harness.fd

Options: `@pytest.mark.fakediscord(transport="plain", ack_deadline=0.5)` (FakeDiscord kwargs).
Teardown closes the bots, stops the server, restores any patches, and FAILS the test if discord.py,
the bot (`bot.*`), its domain (`recommender.*`) or its scheduler (`apscheduler.*`) logged an ERROR or the emulator recorded an unhandled route / limit violation / late or double ack.
Expected ones can be consumed first with `fd.take_problems(kind)` / `discord_harness.take_errors()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
import pytest_asyncio

from .recorder import FATAL_KINDS
from .server import FakeDiscord
from .util import EmulatorTimeout

__all__ = ["WATCHED_LOGGERS", "BotHarness", "discord_harness", "fakediscord"]

# Any ERROR from these fails the test: discord.py, the bot, its domain, and the scheduler running its jobs.
WATCHED_LOGGERS = ("discord", "bot", "recommender", "apscheduler")


class _ErrorCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class BotHarness:
    """Starts discord.py clients against one FakeDiscord and checks for swallowed errors at teardown."""

    def __init__(self, fd: FakeDiscord, fail_on: tuple[str, ...] = FATAL_KINDS) -> None:
        self.fd, self.fail_on = fd, fail_on
        self.clients: list[tuple[discord.Client, asyncio.Task[None]]] = []
        self._capture = _ErrorCapture()
        self._loggers = [logging.getLogger(name) for name in WATCHED_LOGGERS]
        self._old_levels = [logger.level for logger in self._loggers]
        self._patch: contextlib.ExitStack | None = None

    def install(self) -> None:
        # discord.py and the bot's command tree only *log* errors from tree/view/task handlers. Each logger
        # needs its own level: a root level above ERROR would drop the records before any handler sees them.
        for logger in self._loggers:
            if logger.getEffectiveLevel() > logging.WARNING:
                logger.setLevel(logging.WARNING)
            logger.addHandler(self._capture)

    async def start(self, client: discord.Client, *, timeout: float = 10.0) -> discord.Client:
        """Point `client` at the emulator, `start()` it as a task, and wait for on_ready."""
        ready_timeout = client._connection.guild_ready_timeout
        if ready_timeout > 1.0:
            raise ValueError(f"construct the client with guild_ready_timeout=0.1 (got {ready_timeout}); "
                             "otherwise every start waits that long for GUILD_CREATEs")
        if self.fd.transport == "tls":
            client.http.connector = self.fd.connector()  # Option B: public attribute read by static_login
        elif self._patch is None:
            self._patch = contextlib.ExitStack()
            self._patch.enter_context(self.fd.patch_discord())  # Option A
        task = asyncio.create_task(client.start(self.fd.token), name=f"fakediscord-bot-{len(self.clients)}")
        self.clients.append((client, task))
        ready = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait({task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if ready not in done:
            ready.cancel()
            if task in done:
                task.result()  # re-raise LoginFailure, KeyError from a payload, ...
                raise RuntimeError("fakediscord: client.start() returned before on_ready")
            raise EmulatorTimeout(f"fakediscord: bot not ready after {timeout}s{self.fd._diagnose()}")
        return client

    def take_errors(self) -> list[logging.LogRecord]:
        """Remove and return the ERROR records captured so far (for tests that expect one)."""
        records, self._capture.records = self._capture.records, []
        return records

    async def aclose(self) -> list[str]:
        """Close clients, stop the emulator, undo patches; return the failure messages."""
        failures: list[str] = []
        for client, task in self.clients:
            await client.close()
            try:
                await asyncio.wait_for(task, 5.0)
            except Exception as e:  # noqa: BLE001 - reported as a failure below
                failures.append(f"bot task ended with {type(e).__name__}: {e}")
        await self.fd.stop()
        if self._patch is not None:
            self._patch.close()
        for logger, level in zip(self._loggers, self._old_levels):
            logger.removeHandler(self._capture)
            logger.setLevel(level)
        for record in self._capture.records:
            exc = f"\n{logging.Formatter().formatException(record.exc_info)}" if record.exc_info else ""
            failures.append(f"logged ERROR ({record.name}): {record.getMessage()}{exc}")
        failures += [f"emulator problem: {p}" for p in self.fd.problems if p.kind in self.fail_on]
        return failures


def _options(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker("fakediscord")
    return dict(marker.kwargs) if marker else {}


@pytest_asyncio.fixture
async def fakediscord(request: pytest.FixtureRequest) -> AsyncIterator[FakeDiscord]:
    """A started FakeDiscord with the default world; stopped at teardown."""
    fd = FakeDiscord(**_options(request))
    await fd.start()
    try:
        yield fd
    finally:
        await fd.stop()


@pytest_asyncio.fixture
async def discord_harness(fakediscord: FakeDiscord) -> AsyncIterator[BotHarness]:
    """`await discord_harness.start(bot)`; fails the test at teardown on logged errors / emulator problems."""
    harness = BotHarness(fakediscord)
    harness.install()
    yield harness
    failures = await harness.aclose()
    if failures:
        pytest.fail("fakediscord teardown:\n" + "\n".join(failures), pytrace=False)
