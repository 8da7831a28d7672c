"""One function per ingestion job: build the items, run them through `ingest`, return the report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import select

from recommender.config import Settings
from recommender.ingest import arxiv_api, arxiv_daily, hf, oai
from recommender.ingest.arxiv_listing import eastern_day
from recommender.ingest.files import read_file
from recommender.ingest.http import HttpPolicy, PoliteClient, shared_pacer, user_agent
from recommender.ingest.limits import IngestLimits
from recommender.ingest.runner import IngestReport, Progress, RunNotes, ingest
from recommender.papers import record_limits
from recommender.storage.db import Database
from recommender.storage.models import Paper


@dataclass
class Clients:
    """The HTTP clients of one process: every arXiv call shares one paced connection."""

    arxiv: PoliteClient
    hf: PoliteClient

    def close(self) -> None:
        self.arxiv.close()
        self.hf.close()


def make_clients(settings: Settings) -> Clients:
    agent = user_agent(settings.contact_email)

    def policy(interval: float) -> HttpPolicy:
        return HttpPolicy(min_interval=interval, timeout=settings.http_timeout,
                          attempts=settings.http_attempts, max_wait=settings.http_max_wait)

    return Clients(
        arxiv=PoliteClient("arXiv", policy(settings.arxiv_min_interval), agent,
                           shared_pacer("arxiv", settings.arxiv_min_interval)),
        hf=PoliteClient("Hugging Face", policy(settings.hf_min_interval), agent,
                        shared_pacer("hf", settings.hf_min_interval)),
    )


def stored_versions(db: Database) -> Callable[[list[str]], dict[str, int | None]]:
    def lookup(ids: list[str]) -> dict[str, int | None]:
        with db.session() as s:
            return {pid: v for pid, v in s.execute(select(Paper.id, Paper.version).where(Paper.id.in_(ids)))}
    return lookup


def arxiv_today(now: datetime | None = None) -> date:
    return eastern_day(now or datetime.now(timezone.utc))


def run_arxiv_daily(
    db: Database, client: PoliteClient, settings: Settings, categories: list[str] | None = None,
    cross_lists: bool | None = None, today: date | None = None, progress: Progress | None = None,
) -> IngestReport:
    cats = categories or settings.category_list
    cross = settings.arxiv_cross_lists if cross_lists is None else cross_lists
    notes = RunNotes()
    items = arxiv_daily.daily_items(
        client, settings.arxiv_rss_url, settings.arxiv_api_url, cats, stored_versions(db),
        today or arxiv_today(), notes, cross,
    )
    with record_limits(IngestLimits.from_settings(settings).record):
        return ingest(db, arxiv_daily.SOURCE, items, {"categories": cats, "cross_lists": cross}, progress, notes)


def run_arxiv_query(
    db: Database, client: PoliteClient, settings: Settings, query: str, limit: int,
    page_size: int = arxiv_api.PAGE_SIZE, progress: Progress | None = None,
) -> IngestReport:
    notes = RunNotes()
    problems: list[str] = []
    limits = IngestLimits.from_settings(settings)

    def items():  # type: ignore[no-untyped-def]
        yield from arxiv_api.search(client, settings.arxiv_api_url, query, limit, page_size, problems=problems,
                                    max_pages=limits.max_pages)
        if problems:
            notes.message = "; ".join(problems)

    with record_limits(limits.record):
        return ingest(db, "arxiv-query", items(), {"query": query, "max": limit}, progress, notes)


def run_oai(
    db: Database, client: PoliteClient, settings: Settings, start: date, end: date,
    prefix: str = "arXiv", set_spec: str | None = None, chunk_days: int = 7,
    restart: bool = False, progress: Progress | None = None,
) -> IngestReport:
    key = oai.state_key(prefix, set_spec, start, end)
    with db.session() as s:
        if restart:
            oai.save_state(s, key, None)
        state = oai.load_state(s, key)
    notes = RunNotes()
    limits = IngestLimits.from_settings(settings)
    items = oai.harvest(client, settings.arxiv_oai_url, prefix, set_spec, start, end, state, notes, chunk_days,
                        max_pages=limits.max_pages)
    params = {"format": prefix, "set": set_spec, "from": start.isoformat(), "until": end.isoformat()}
    with record_limits(limits.record):
        return ingest(db, oai.SOURCE, items, params, progress, notes)


def run_hf(
    db: Database, client: PoliteClient, settings: Settings, days: list[date] | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    if not days:
        today = datetime.now(timezone.utc).date()
        days = [today - timedelta(days=n) for n in range(settings.hf_days)]
    notes = RunNotes()
    limits = IngestLimits.from_settings(settings)
    items = hf.daily_items(client, settings.hf_api_url, sorted(days), notes, limits.max_depth)
    with record_limits(limits.record):
        return ingest(db, hf.SOURCE, items, {"dates": [d.isoformat() for d in sorted(days)]}, progress, notes)


def run_file(
    db: Database, path: Path, fmt: str | None = None, progress: Progress | None = None,
    limits: IngestLimits | None = None,
) -> IngestReport:
    """Import a file within `limits` (the settings' PAPERBOT_INGEST_*; the defaults without)."""
    limits = limits or IngestLimits()
    notes = RunNotes()
    items = read_file(path, fmt, limits=limits, notes=notes)
    with record_limits(limits.record):
        return ingest(db, "file", items, {"path": str(path), "format": fmt or "auto"}, progress, notes)
