"""The daily ingestion job: every configured source in a worker thread, then the index refresh.

Default: 00:30 America/New_York every day, shortly after arXiv rebuilds its
listing at midnight US Eastern following each announcement (Sun-Thu 20:00 ET).
Weekend and holiday runs find nothing and record why, so the digests can say
"no new papers today (weekend)". Configure with PAPERBOT_INGEST_TIME,
PAPERBOT_INGEST_TIMEZONE, PAPERBOT_INGEST_WEEKDAYS and PAPERBOT_INGEST_SOURCES.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger

from recommender.config import Settings, parse_hhmm, parse_weekdays
from recommender.ingest.runner import IngestReport

log = logging.getLogger(__name__)
JOB_ID = "ingest:daily"


class Ingests(Protocol):
    def run_scheduled_ingest(self) -> list[IngestReport]: ...


def ingest_trigger(settings: Settings) -> CronTrigger:
    at = parse_hhmm(settings.ingest_time)
    days = ",".join(parse_weekdays(settings.ingest_weekdays))
    return CronTrigger(day_of_week=days, hour=at.hour, minute=at.minute, timezone=ZoneInfo(settings.ingest_timezone))


class IngestJobs:
    def __init__(self, scheduler: BaseScheduler, service: Ingests, settings: Settings) -> None:
        self.scheduler = scheduler
        self.service = service
        self.settings = settings

    def schedule(self) -> None:
        if not self.settings.source_list:
            log.info("no ingestion sources configured; not scheduling ingestion")
            return
        if 0 not in self.settings.shards[1]:  # sharded: one process ingests, the others reload its index
            log.info("ingestion runs in the process of shard 0; not scheduling it here")
            return
        self.scheduler.add_job(
            self.run, ingest_trigger(self.settings), id=JOB_ID, replace_existing=True,
            name=f"ingest {', '.join(self.settings.source_list)}",
        )

    def unschedule(self) -> None:
        if self.scheduler.get_job(JOB_ID):
            self.scheduler.remove_job(JOB_ID)

    async def run(self) -> list[IngestReport]:
        """Fetch from every source off the event loop; failures are logged, never raised."""
        try:
            reports = await asyncio.to_thread(self.service.run_scheduled_ingest)
        except Exception:
            log.exception("scheduled ingestion crashed")
            return []
        for r in reports:
            log.info("ingest %s: %s, %d new, %d updated%s", r.source, r.status, r.new, r.updated,
                     f" ({r.empty_reason})" if r.empty_reason else "")
        return reports
