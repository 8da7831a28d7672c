"""Failed digests are retried, with backoff, until their day ends; the admin sees the failure."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from rich.console import Console
from sqlalchemy import select, update

from bot.bot import PaperBot
from bot.console._repl import ConsolePublisher
from bot.context import FailureReason, Invoker, Reply
from bot.exts import EXTENSIONS
from bot.exts.digest._actions import failure_note
from bot.exts.digest._delivery import deliver
from bot.exts.digest._retry import FIX_CHECK, MAX_BACKOFF, day_end, retry_at
from bot.exts.digest._scheduler import DigestJobs
from bot.registry import invoke
from recommender.service import PaperService
from recommender.storage.models import Digest, DigestItem
from recommender.views import Target

GUILD, CHANNEL = 10, 20
NOON = datetime(2026, 7, 1, 12, 0)
END = datetime(2026, 7, 2, 0, 0)


def test_transient_failures_back_off_until_the_day_ends() -> None:
    waits = [retry_at(FailureReason.DISCORD_ERROR, n, NOON, END) - NOON for n in range(1, 9)]  # type: ignore[operator]
    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert waits[-1] == MAX_BACKOFF and waits == sorted(waits)
    assert retry_at(FailureReason.NETWORK_ERROR, 1, END - timedelta(seconds=30), END) is None  # the day is over
    assert retry_at(FailureReason.RATE_LIMITED, 3, NOON, END) == NOON + timedelta(minutes=4)
    late = END - timedelta(minutes=20)
    assert retry_at(FailureReason.DISCORD_ERROR, 8, late, END) == END - timedelta(minutes=1)  # a last try


def test_what_an_admin_must_fix_is_checked_hourly_and_closed_dms_never() -> None:
    assert retry_at(FailureReason.MISSING_PERMISSION, 5, NOON, END) == NOON + FIX_CHECK
    assert retry_at(FailureReason.UNKNOWN_CHANNEL, 1, NOON, END) == NOON + FIX_CHECK
    assert retry_at(FailureReason.MISSING_PERMISSION, 1, END - timedelta(minutes=30), END) == END - timedelta(minutes=1)
    assert retry_at(FailureReason.CLOSED_DMS, 1, NOON, END) is None


def test_the_day_ends_in_the_targets_time_zone() -> None:
    assert day_end(date(2026, 7, 1), "UTC") == END
    assert day_end(date(2026, 7, 1), "Europe/Berlin") == datetime(2026, 7, 1, 22, 0)
    assert day_end(date(2026, 7, 1), "America/New_York") == datetime(2026, 7, 2, 4, 0)


class DroppedConnection:
    """A publisher whose POST dies with a network error discord.py does not wrap."""

    def mention(self, channel_id: int) -> str:
        return f"<#{channel_id}>"

    async def to_channel(self, channel_id: int, reply: Reply) -> int | None:
        raise ConnectionResetError(104, "Connection reset by peer")

    async def to_user(self, user_id: int, reply: Reply) -> int | None:
        raise TimeoutError


def ledger_row(service: PaperService, target_id: int) -> Digest:
    with service.db.session() as s:
        return s.scalars(select(Digest).where(Digest.target_id == target_id)).one()


def make_due(service: PaperService) -> None:
    """As if the retry time had come."""
    with service.db.session() as s:
        s.execute(update(Digest).where(Digest.next_retry_at.is_not(None))
                  .values(next_retry_at=datetime(2000, 1, 1)))


class Clock:
    """The test's clock (aware UTC), moved by hand: no edge at the real midnight."""

    def __init__(self, at: datetime) -> None:
        self.at = at.replace(tzinfo=ZoneInfo("UTC"))

    def __call__(self) -> datetime:
        return self.at

    def naive(self) -> datetime:
        return self.at.replace(tzinfo=None)


async def test_a_network_error_is_a_typed_failure_and_is_retried(service: PaperService) -> None:
    service.subscribe(Target.user(1, GUILD), "graph neural networks")
    service.configure_digest(GUILD, channel_id=CHANNEL)
    clock = Clock(END - timedelta(minutes=30))  # 23:30 UTC: retries must still fit in the day
    draft = service.compose_channel_digest(GUILD, day=NOON.date())
    outcome = await deliver(service, DroppedConnection(), draft, "Lab", now=clock.naive)  # does not raise
    assert (outcome.status, outcome.reason) == ("failed", FailureReason.NETWORK_ERROR)
    row = ledger_row(service, CHANNEL)
    assert (row.status, row.reason, row.attempts) == ("failed", "NETWORK_ERROR", 1)
    assert (row.failed_at, row.next_retry_at) == (clock.naive(), clock.naive() + timedelta(minutes=1))
    with service.db.session() as s:  # nothing counts as sent
        assert s.scalars(select(DigestItem).where(DigestItem.digest_id == row.id, DigestItem.posted_at.is_not(None))).all() == []

    out = io.StringIO()
    jobs = DigestJobs(AsyncIOScheduler(), service, ConsolePublisher(Console(file=out, width=120)), clock=clock)
    assert await jobs.run_retries() == 0  # not due yet
    clock.at += timedelta(seconds=59)
    assert await jobs.run_retries() == 0
    clock.at += timedelta(seconds=1)  # 23:31: the minute passed
    assert await jobs.run_retries() == 1
    assert await jobs.run_retries() == 0  # once
    row = ledger_row(service, CHANNEL)
    assert (row.status, row.attempts) == ("sent", 2)
    assert out.getvalue().count("new papers for") == 1


async def test_a_retry_after_the_day_ended_is_not_made(service: PaperService) -> None:
    service.subscribe(Target.user(1, GUILD), "graph neural networks")
    service.configure_digest(GUILD, channel_id=CHANNEL)
    clock = Clock(END - timedelta(minutes=3))  # 23:57
    draft = service.compose_channel_digest(GUILD, day=NOON.date())
    await deliver(service, DroppedConnection(), draft, "Lab", now=clock.naive)
    assert ledger_row(service, CHANNEL).next_retry_at == clock.naive() + timedelta(minutes=1)
    out = io.StringIO()
    jobs = DigestJobs(AsyncIOScheduler(), service, ConsolePublisher(Console(file=out, width=120)), clock=clock)
    clock.at = END + timedelta(seconds=1)  # the retry was due at 23:58, but the job ran after midnight
    assert await jobs.run_retries() == 0 and out.getvalue() == ""
    assert ledger_row(service, CHANNEL).status == "failed", "yesterday's digest is not posted today"


async def test_forbidden_is_shown_to_the_admin_and_retried_after_the_fix(discord_harness: Any, service: PaperService) -> None:
    fd = discord_harness.fd
    bot = PaperBot(service, service.settings, extensions=EXTENSIONS, guild_ready_timeout=0.1)
    await discord_harness.start(bot)
    jobs: DigestJobs = bot.get_cog("Digest").jobs  # type: ignore[union-attr]
    jobs.clock = Clock(NOON)
    service.subscribe(Target.user(fd.member.id, fd.guild.id), "speech recognition")
    service.configure_digest(fd.guild.id, channel_id=fd.channel("announcements").id)  # the bot may not post there
    outcome = await jobs.run_channel_digest(fd.guild.id)
    assert outcome is not None and outcome.reason is FailureReason.MISSING_PERMISSION
    row = ledger_row(service, fd.channel("announcements").id)
    assert row.reason == "MISSING_PERMISSION" and row.next_retry_at is not None

    admin = Invoker(service=service, user_id=fd.admin.id, guild_id=fd.guild.id, can_manage_guild=True,
                    publisher=bot.publisher)  # type: ignore[attr-defined]
    status = (await invoke(admin, "digest status")).content or ""
    assert "⚠️ The digest for" in status and "not allowed to post" in status and "next try at" in status

    service.configure_digest(fd.guild.id, channel_id=fd.channel("papers").id)  # the admin fixes it
    make_due(service)
    assert await jobs.run_retries() == 1
    assert await jobs.run_retries() == 0
    header, = fd.messages(fd.channel("papers"))
    assert "new papers** for" in header.content
    assert fd.messages(header.id) and all(m.embeds for m in fd.messages(header.id)), "the papers, in its thread"
    fd.take_problems()


def test_failure_note_after_a_later_success() -> None:
    from recommender.views import LedgerEntry

    entry = LedgerEntry(1, Target.channel(CHANNEL, GUILD), date(2026, 7, 1), "sent", 2, "DISCORD_ERROR",
                        "503 Service Unavailable", NOON, None, NOON + timedelta(minutes=1))
    assert failure_note(entry, entry) == "Last failure: 2026-07-01 12:00 UTC, sent on a later try (503 Service Unavailable)."
    assert failure_note(None, None) == ""
