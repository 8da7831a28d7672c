"""Real bot processes against the emulator: `paperbot run` (through tests/support/fault_bot.py, which
can inject a fault) in a subprocess, pointed at FakeDiscord by PAPERBOT_DISCORD_API_URL.

The emulator runs in the test's event loop on plain HTTP/WS at 127.0.0.1, so the test must wait
with `await` (never block) while the bots run. What the bots posted is read back from the
emulator's stored messages, by paper id, not by message layout.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from recommender.service import PaperService
from recommender.storage.models import Digest, DigestItem

ROOT = Path(__file__).resolve().parents[2]
PAPER_ID = re.compile(r"^pb:like:(.+)$")
START_WAIT = 120.0  # seconds: a bot process imports, loads the index and connects (the CPU is shared)


@dataclass
class BotProcess:
    proc: asyncio.subprocess.Process
    log: Path
    name: str

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    async def exited(self, timeout: float = START_WAIT) -> int:
        """Wait for the process to end by itself (a fault's os._exit(9)); its exit code."""
        try:
            return await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            raise AssertionError(f"{self.name} did not exit within {timeout:.0f} s:\n{self.output()}") from None

    async def stop(self) -> None:
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGTERM)  # no handler: the bot just ends (what it did is recorded)
            try:
                await asyncio.wait_for(self.proc.wait(), 5)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


@dataclass
class Fleet:
    """The bot processes of one test: started with the test's emulator and database, stopped at its end."""

    fd: Any
    service: PaperService
    logs: Path
    procs: list[BotProcess] = field(default_factory=list)

    def env(self, fault: str = "", **extra: str) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith("PAPERBOT_") and k != "DISCORD_TOKEN"}
        settings = self.service.settings
        return base | {
            "DISCORD_TOKEN": self.fd.token,
            "PAPERBOT_DISCORD_API_URL": f"http://127.0.0.1:{self.fd.port}/api/v10",
            "PAPERBOT_DATABASE_URL": settings.db_url,
            "PAPERBOT_DATA_DIR": str(settings.data_dir),
            "PAPERBOT_SEED_DEMO_CORPUS": "false",
            "PAPERBOT_MIN_SCORE": str(settings.min_score),
            "PAPERBOT_LOG_LEVEL": "INFO",
            "PAPERBOT_INGEST_SOURCES": "",  # no scheduled ingestion (no network here)
            "PAPERBOT_FAULT": fault,
            "PAPERBOT_FAULT_FAST": "1",
            "PYTHONPATH": str(ROOT),
        } | extra

    async def start(self, fault: str = "", **extra: str) -> BotProcess:
        name = f"bot{len(self.procs)}" + (f"[{fault}]" if fault else "")
        log = self.logs / f"{name}.log"
        with log.open("wb") as out:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tests.support.fault_bot", cwd=ROOT, env=self.env(fault, **extra),
                stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=asyncio.subprocess.STDOUT,
            )
        bot = BotProcess(proc, log, name)
        self.procs.append(bot)
        return bot

    async def close(self) -> None:
        for bot in self.procs:
            await bot.stop()

    async def until(self, check: Callable[[], bool], what: str, timeout: float = START_WAIT) -> None:
        """Wait (polling the database or the emulator) until `check()`; fail with the bots' logs."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while not await asyncio.to_thread(check):
            if loop.time() > end:
                logs = "\n".join(f"--- {b.name} (exit {b.proc.returncode}):\n{b.output()}" for b in self.procs)
                raise AssertionError(f"timed out waiting for {what}\n{logs}")
            await asyncio.sleep(0.2)


def places(fd: Any, channel_id: int) -> set[int]:
    """A channel and its threads."""
    return {channel_id} | {c.id for c in fd.world.channels.values() if c.parent_id == channel_id}


def messages_in(fd: Any, channel_id: int) -> list[Any]:
    """The bot's messages in a channel and its threads."""
    where = places(fd, channel_id)
    return [m for m in fd.messages() if m.channel_id in where and int(m.data["author"]["id"]) == fd.world.bot.id]


def replays(fd: Any, channel_id: int) -> int:
    """How many accepted posts to a channel (and its threads) were answered with a message already
    there: a resend with the same nonce (after a crash, or a 500 after storing), not a new message."""
    ids = [call.response["id"] for where in places(fd, channel_id)
           for call in fd.calls("POST", f"/channels/{where}/messages") if call.status in (200, 201)]
    return len(ids) - len(set(ids))


def paper_ids(message: Any) -> list[str]:
    """The papers of one message, from its 👍 controls: a button per paper, or a select menu's options."""
    ids: list[str] = []
    for comp in message.iter_components():
        if (m := PAPER_ID.match(comp.get("custom_id", ""))) is not None:
            ids.append(m.group(1))
        elif comp.get("custom_id") == "pb:pick:like":
            ids += [option["value"] for option in comp.get("options", [])]
    return ids


def papers_in(fd: Any, channel_id: int) -> list[str]:
    """Every paper the bot posted to a channel, its threads included, once per post."""
    return [pid for message in messages_in(fd, channel_id) for pid in paper_ids(message)]


def ledger(service: PaperService) -> list[tuple[Digest, list[str]]]:
    """Every digest row with its planned paper ids."""
    with service.db.session() as s:
        rows = list(s.scalars(select(Digest).order_by(Digest.id)))
        return [(r, list(s.scalars(select(DigestItem.paper_id).where(DigestItem.digest_id == r.id)))) for r in rows]


def all_sent(service: PaperService, count: int) -> Callable[[], bool]:
    def check() -> bool:
        rows = ledger(service)
        return len(rows) >= count and all(r.status == "sent" for r, _ in rows)
    return check


def exactly_one_complete(fd: Any, service: PaperService, channel_id: int, kind: str = "channel") -> list[str]:
    """The target got one complete digest: one sent ledger row, and every planned paper posted once."""
    rows = [(r, items) for r, items in ledger(service) if r.target_kind == kind and r.target_id == channel_id]
    assert len(rows) == 1, f"{len(rows)} digests for {kind} {channel_id}"
    row, planned = rows[0]
    assert row.status == "sent", (row.status, row.reason, row.error)
    posted = papers_in(fd, fd.dm_channel(channel_id).id if kind == "user" else channel_id)
    twice = [p for p, n in Counter(posted).items() if n > 1]
    assert not twice, f"posted twice: {twice}"
    assert planned and sorted(posted) == sorted(planned), (len(posted), len(planned))
    return posted
