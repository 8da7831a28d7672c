"""The digest jobs: the cron trigger, and the DM sweep that stops only when a member's DMs are closed."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from rich.console import Console

from bot.bot import PaperBot
from bot.console._repl import ConsolePublisher
from bot.exts import EXTENSIONS
from bot.exts.digest._scheduler import DigestJobs, digest_trigger
from recommender.service import PaperService
from recommender.storage.models import Digest, User
from recommender.views import DigestSettings, Target

GUILD, CHANNEL = 10, 20


def jobs_of(bot: PaperBot) -> DigestJobs:
    return bot.get_cog("Digest").jobs  # type: ignore[union-attr]


def dm_digest_on(service: PaperService, user_id: int) -> bool:
    with service.db.session() as s:
        user = s.get(User, user_id)
        return bool(user and user.dm_digest)


def digest_status(service: PaperService, user_id: int) -> str | None:
    with service.db.session() as s:
        row = s.query(Digest).filter(Digest.target_kind == "user", Digest.target_id == user_id).one_or_none()
        return row.status if row else None


async def test_only_closed_dms_switch_a_dm_digest_off(discord_harness: Any, service: PaperService) -> None:
    fd = discord_harness.fd
    bot = PaperBot(service, service.settings, extensions=EXTENSIONS, guild_ready_timeout=0.1)
    await discord_harness.start(bot)
    jobs = jobs_of(bot)

    def wants_dms(user_id: int) -> None:
        service.subscribe(Target.user(user_id, fd.guild.id), "speech recognition")
        service.set_dm_digest(user_id, True, "00:00", "UTC")

    wants_dms(fd.member.id)
    fd.inject_error("POST", "/channels/*/messages", status=503, message="Service Unavailable")
    assert await jobs.run_dm_sweep() == 0
    assert digest_status(service, fd.member.id) == "failed" and dm_digest_on(service, fd.member.id)

    wants_dms(fd.admin.id)
    fd.inject_error("POST", "/channels/*/messages", status=400, code=50035, message="Cannot send DMs: bad body")
    assert await jobs.run_dm_sweep() == 0
    assert digest_status(service, fd.admin.id) == "failed" and dm_digest_on(service, fd.admin.id)

    wants_dms(fd.owner.id)
    fd.owner.dms_open = False  # Discord answers 403 50007
    assert await jobs.run_dm_sweep() == 0
    assert digest_status(service, fd.owner.id) == "failed" and not dm_digest_on(service, fd.owner.id)
    fd.take_problems()


def test_digest_trigger_follows_time_zone_and_weekdays() -> None:
    conf = DigestSettings(GUILD, CHANNEL, "08:30", "Europe/Berlin", "mon-fri", 8, True)
    trigger = digest_trigger(conf)
    berlin = ZoneInfo("Europe/Berlin")
    friday_evening = datetime(2026, 7, 3, 20, 0, tzinfo=berlin)
    fire = trigger.get_next_fire_time(None, friday_evening)
    assert fire == datetime(2026, 7, 6, 8, 30, tzinfo=berlin)  # Monday, not Saturday
    assert fire.utcoffset().total_seconds() == 2 * 3600
    daily = digest_trigger(DigestSettings(GUILD, CHANNEL, "23:59", "Pacific/Auckland", "daily", 8, True))
    # Friday 20:00 in Berlin is already Saturday 06:00 in Auckland: that Saturday, 23:59 local.
    assert daily.get_next_fire_time(None, friday_evening) == datetime(2026, 7, 4, 23, 59, tzinfo=ZoneInfo("Pacific/Auckland"))


async def test_exactly_once_catch_up_across_midnight_posts_that_days_digest(bare_service: PaperService) -> None:
    """Down at 23:30 Berlin, up at 00:30: yesterday's digest goes out once, under yesterday; today's is untouched."""
    bare_service.configure_digest(GUILD, channel_id=CHANNEL, time="23:30", timezone="Europe/Berlin", weekdays="daily")
    conf = bare_service.digest_settings(GUILD)
    assert conf is not None
    scheduler = AsyncIOScheduler()
    jobs = DigestJobs(scheduler, bare_service, ConsolePublisher(Console(file=io.StringIO())))
    berlin = ZoneInfo("Europe/Berlin")
    jobs._catch_up(conf, now=datetime(2026, 7, 2, 0, 30, tzinfo=berlin))
    job = scheduler.get_job(f"catch-up:{GUILD}")
    assert job is not None and job.args == (GUILD, date(2026, 7, 1))
    assert (await jobs.run_channel_digest(*job.args)).status == "sent"  # type: ignore[union-attr]
    assert (await jobs.run_channel_digest(*job.args)).status == "already"  # type: ignore[union-attr]
    with bare_service.db.session() as s:
        assert [d.day for d in s.query(Digest).all()] == [date(2026, 7, 1)]
    assert (await jobs.run_channel_digest(GUILD, date(2026, 7, 2))).status == "sent"  # type: ignore[union-attr]

    # The window is a setting: 1 hour does not reach back 1.5 hours; 0 switches catch-up off.
    for hours, now in ((1.0, datetime(2026, 7, 2, 1, 0, tzinfo=berlin)), (0.0, datetime(2026, 7, 2, 0, 0, tzinfo=berlin))):
        scheduler.remove_all_jobs()
        bare_service.settings = bare_service.settings.model_copy(update={"digest_catch_up_hours": hours})
        jobs._catch_up(conf, now=now)
        assert scheduler.get_job(f"catch-up:{GUILD}") is None


def test_digest_trigger_of_a_weekly_digest_fires_on_its_day_only() -> None:
    conf = DigestSettings(GUILD, CHANNEL, "09:00", "Asia/Tokyo", "mon-fri", 8, True, cadence="weekly", week_day="wed")
    trigger = digest_trigger(conf)
    tokyo = ZoneInfo("Asia/Tokyo")
    fire = trigger.get_next_fire_time(None, datetime(2026, 11, 23, 9, 0, tzinfo=tokyo))  # a Monday
    assert fire == datetime(2026, 11, 25, 9, 0, tzinfo=tokyo)
    assert trigger.get_next_fire_time(None, fire + timedelta(minutes=1)) == datetime(2026, 12, 2, 9, 0, tzinfo=tokyo)
