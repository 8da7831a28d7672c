"""The scheduled ingestion job: when it runs, and that one failing source does not stop the others."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.exts.ingest._scheduler import JOB_ID, IngestJobs, ingest_trigger
from recommender.config import Settings
from recommender.ingest.jobs import Clients
from recommender.service import PaperService
from tests.conftest import backend  # noqa: F401  (both backends here, unlike the rest of tests/bot: these runs store what they ingest)
from tests.support.httpserver import Reply
from tests.support.sources import fixture, make_client

NY = ZoneInfo("America/New_York")


def test_default_schedule_is_half_past_midnight_new_york() -> None:
    trigger = ingest_trigger(Settings(_env_file=None, ingest_time="00:30", ingest_timezone="America/New_York",
                                      ingest_weekdays="daily"))
    assert Settings.model_fields["ingest_time"].default == "00:30"
    assert Settings.model_fields["ingest_timezone"].default == "America/New_York"
    after = datetime(2026, 4, 26, 21, 0, tzinfo=NY)  # Sunday evening, after the announcement
    assert trigger.get_next_fire_time(None, after) == datetime(2026, 4, 27, 0, 30, tzinfo=NY)
    saturday = datetime(2026, 5, 1, 23, 0, tzinfo=NY)
    assert trigger.get_next_fire_time(None, saturday).date().isoformat() == "2026-05-02"  # weekends too


def test_scheduled_job_ingests_every_source_then_refreshes_the_index(db, server, ingest_settings) -> None:
    server.route("/rss/cs.AI+cs.CL+cs.CV+cs.LG", Reply(fixture("arxiv-rss-cs.AI.xml")))
    server.route("/api/query", Reply(b"<html>down</html>", 503))
    server.route("/api/daily_papers", Reply(fixture("hf-daily-papers.json")))
    service = PaperService(ingest_settings, db)
    service.start(seed=False)
    service.http_clients = Clients(make_client(), make_client(name="Hugging Face"))

    async def run() -> list:
        scheduler = AsyncIOScheduler()
        scheduler.start()
        jobs = IngestJobs(scheduler, service, ingest_settings)
        jobs.schedule()
        assert scheduler.get_job(JOB_ID) is not None
        reports = await jobs.run()
        scheduler.shutdown(wait=False)
        return reports

    try:
        reports = asyncio.run(run())
        # arXiv's API is down (a failed, recorded run); Hugging Face still ran, then the index.
        assert [r.source for r in reports] == ["hf"] and reports[0].new == 30
        assert service.index() is not None and len(service.index()) == 30
        runs = service.stats()["ingest_runs"]
        assert [(r["source"], r["status"]) for r in runs[:2]] == [("hf", "ok"), ("arxiv", "failed")]
        assert runs[1]["empty_reason"] == "source error"
    finally:
        service.close()


