"""Cron jobs: each server's daily or weekly digest, and a sweep that sends due DM digests."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.context import FailureReason, Publisher
from bot.exts.digest._delivery import Outcome, deliver
from bot.shards import Shards
from recommender.config import parse_hhmm, parse_weekdays
from recommender.service import PaperService
from recommender.views import DigestDraft, DigestSettings

log = logging.getLogger(__name__)
JOB_PREFIX = "digest:"
DM_SWEEP = "dm-sweep"
RETRIES = "digest-retries"
RETRY_EVERY = timedelta(minutes=1)
DM_SWEEP_FIRST = timedelta(seconds=30)  # the first DM sweep after a start


def digest_trigger(conf: DigestSettings) -> CronTrigger:
    """At the server's time in its time zone: on its weekdays, or once a week on its day."""
    at = parse_hhmm(conf.time)
    days = conf.week_day if conf.cadence == "weekly" else ",".join(parse_weekdays(conf.weekdays))
    return CronTrigger(day_of_week=days, hour=at.hour, minute=at.minute, timezone=ZoneInfo(conf.timezone))


def wall_clock() -> datetime:
    return datetime.now(timezone.utc)


class DigestJobs:
    """The digest jobs. `clock` (aware UTC) decides which day a run is for, whether a retry is due and
    when the next one is: the wall clock, or the test's."""

    def __init__(self, scheduler: BaseScheduler, service: PaperService, publisher: Publisher,
                 guild_name: Callable[[int], str] = lambda guild_id: "", shards: Shards = Shards(),
                 clock: Callable[[], datetime] = wall_clock) -> None:
        self.scheduler = scheduler
        self.shards = shards  # this process delivers only its shards' digests
        self.service = service
        self.publisher = publisher
        self.guild_name = guild_name
        self.clock = clock

    def _utc(self) -> datetime:
        """The clock as naive UTC, the ledger's times."""
        return self.clock().astimezone(timezone.utc).replace(tzinfo=None)

    def _today(self, tz: str) -> date:
        return self.clock().astimezone(ZoneInfo(tz)).date()

    async def _deliver(self, draft: DigestDraft, guild_name: str, tz: str) -> Outcome:
        return await deliver(self.service, self.publisher, draft, guild_name, tz, now=self._utc)

    async def sync_all(self, catch_up: bool = True) -> None:
        confs = [c for c in await asyncio.to_thread(self.service.scheduled_digests) if self.shards.owns_guild(c.guild_id)]
        wanted = {f"{JOB_PREFIX}{c.guild_id}" for c in confs}
        for job in self.scheduler.get_jobs():
            if job.id.startswith(JOB_PREFIX) and job.id not in wanted:
                job.remove()
        for conf in confs:
            self._schedule(conf)
            if catch_up:
                self._catch_up(conf)
        self.scheduler.add_job(
            self.run_dm_sweep, IntervalTrigger(minutes=5), id=DM_SWEEP, replace_existing=True,
            next_run_time=datetime.now(ZoneInfo("UTC")) + DM_SWEEP_FIRST,
        )
        self.scheduler.add_job(
            self.run_retries, IntervalTrigger(seconds=RETRY_EVERY.total_seconds()), id=RETRIES, replace_existing=True,
        )

    def _schedule(self, conf: DigestSettings) -> None:
        self.scheduler.add_job(
            self.run_channel_digest, digest_trigger(conf), args=[conf.guild_id], id=f"{JOB_PREFIX}{conf.guild_id}",
            replace_existing=True, name=f"{conf.cadence} digest for server {conf.guild_id}",
        )

    def _catch_up(self, conf: DigestSettings, now: datetime | None = None) -> None:
        """After downtime, post a digest whose time passed in the last `digest_catch_up_hours`, under the
        day it belongs to (a digest missed at 23:30 and caught up at 00:30 is yesterday's, once)."""
        window = timedelta(hours=self.service.settings.digest_catch_up_hours)
        now = (now or self.clock()).astimezone(ZoneInfo(conf.timezone))
        if not window:
            return
        previous = digest_trigger(conf).get_next_fire_time(None, now - window)
        if previous is not None and previous <= now:
            self.scheduler.add_job(self.run_channel_digest, args=[conf.guild_id, previous.date()],
                                   id=f"catch-up:{conf.guild_id}", replace_existing=True)

    def unschedule(self) -> None:
        for job in self.scheduler.get_jobs():
            if job.id.startswith((JOB_PREFIX, "catch-up:")) or job.id in (DM_SWEEP, RETRIES):
                job.remove()

    async def resync_guild(self, guild_id: int) -> None:
        """After a server's settings changed: schedule, move or drop its job."""
        conf = await asyncio.to_thread(self.service.digest_settings, guild_id)
        job_id = f"{JOB_PREFIX}{guild_id}"
        if conf is None or conf.channel_id is None or not conf.enabled or not self.shards.owns_guild(guild_id):
            if self.scheduler.get_job(job_id):
                self.scheduler.remove_job(job_id)
            return
        self._schedule(conf)

    async def run_channel_digest(self, guild_id: int, day: date | None = None) -> Outcome | None:
        """Post a server's digest of `day` (default: today in its time zone)."""
        service = self.service
        conf = await asyncio.to_thread(service.digest_settings, guild_id)
        if conf is None or conf.channel_id is None or not conf.enabled:
            return None
        day = day or self._today(conf.timezone)
        draft = await asyncio.to_thread(service.compose_channel_digest, guild_id, None, day)
        return await self._deliver(draft, self.guild_name(guild_id), conf.timezone)

    async def run_retries(self) -> int:
        """Try again the digests that are due: failed ones whose retry time came, and claims whose
        worker died (lease expired). Only the current day's: a digest's retries end with its day."""
        service = self.service
        since = self._utc().date() - timedelta(days=1)
        sent = 0
        for entry in await asyncio.to_thread(service.due_digests, since, self._utc()):
            if not self.shards.owns(entry.target):
                continue  # another shard's
            if entry.target.kind == "channel":
                guild_id = entry.target.guild_id
                conf = await asyncio.to_thread(service.digest_settings, guild_id) if guild_id is not None else None
                if conf is None or conf.channel_id is None or not conf.enabled:
                    continue
                if self._today(conf.timezone) != entry.day:
                    continue  # that day is over
                # The server's current channel: after `/digest channel` the retry goes there; the digest's
                # own cadence (a weekly digest stays one after a switch to daily).
                draft = await asyncio.to_thread(service.compose_channel_digest, guild_id, None, entry.day,
                                                entry.cadence)
                outcome = await self._deliver(draft, self.guild_name(guild_id), conf.timezone)
            else:
                tz = await asyncio.to_thread(service.member_timezone, entry.target.id)
                if self._today(tz) != entry.day:
                    continue
                drafts = await asyncio.to_thread(service.compose_personal_digests, [(entry.target.id, entry.day)],
                                                 cadence={entry.target.id: entry.cadence})
                outcome = await self._deliver(drafts[0], "", tz)
                if outcome.reason is FailureReason.CLOSED_DMS:
                    await asyncio.to_thread(service.set_dm_digest, entry.target.id, False)
            sent += outcome.status == "sent"
        return sent

    async def run_dm_sweep(self) -> int:
        """Send the DM digests that are due; a member whose DMs are closed gets no more."""
        service = self.service
        sent = 0
        due = [(uid, day) for uid, day in await asyncio.to_thread(service.due_dm_digests, self.clock())
               if self.shards.owns_user(uid)]
        if not due:
            return 0
        for draft in await asyncio.to_thread(service.compose_personal_digests, due):
            tz = await asyncio.to_thread(service.member_timezone, draft.target.id)
            outcome = await self._deliver(draft, "", tz)
            if outcome.reason is FailureReason.CLOSED_DMS:
                await asyncio.to_thread(service.set_dm_digest, draft.target.id, False)
            sent += outcome.status == "sent"
        return sent
