"""Run one ingestion: stream records into the store in batches and record the run."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from recommender.ingest.errors import BadRecord
from recommender.ingest.store import BATCH, UpsertResult, upsert_batch
from recommender.papers import PaperRecord
from recommender.storage.db import Database
from recommender.storage.models import IngestRun, utcnow

MAX_PROBLEMS_KEPT = 1000
Item = tuple[str, PaperRecord | BadRecord]
Progress = Callable[[int], None]


@dataclass
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class IngestReport:
    source: str
    run_id: int = 0
    status: str = "running"
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0
    empty_reason: str | None = None
    message: str | None = None
    problems: list[Problem] = field(default_factory=list)
    changed_ids: list[str] = field(default_factory=list)

    @property
    def seen(self) -> int:
        return self.new + self.updated + self.unchanged + self.skipped

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "run_id": self.run_id,
            "status": self.status,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "failed": self.failed,
            "seconds": round(self.seconds, 3),
            "empty_reason": self.empty_reason,
            "message": self.message,
            "problems": [str(p) for p in self.problems],
        }


def start_run(db: Database, source: str, params: dict[str, Any], window: tuple[date | None, date | None] = (None, None)) -> int:
    with db.session() as s:
        run = IngestRun(source=source, params=params, window_start=window[0], window_end=window[1])
        s.add(run)
        s.flush()
        return run.id


def finish_run(db: Database, report: IngestReport) -> None:
    with db.session() as s:
        run = s.get(IngestRun, report.run_id)
        if run is None:
            return
        run.finished_at = utcnow()
        run.status = report.status
        run.new, run.updated, run.unchanged = report.new, report.updated, report.unchanged
        run.skipped, run.failed = report.skipped, report.failed
        run.empty_reason = report.empty_reason
        run.message = report.message


def store_items(db: Database, items: Iterable[Item], report: IngestReport, progress: Progress | None = None) -> None:
    """Upsert good records batch by batch (each batch commits); count and keep bad ones."""
    batch: list[PaperRecord] = []

    def flush() -> None:
        if not batch:
            return
        with db.session() as s:
            result: UpsertResult = upsert_batch(s, batch)
        report.new += result.new
        report.updated += result.updated
        report.unchanged += result.unchanged + (len(batch) - result.new - result.updated - result.unchanged)
        report.changed_ids.extend(result.changed_ids)
        if progress:
            progress(len(batch))
        batch.clear()

    for where, item in items:
        if isinstance(item, BadRecord):
            report.skipped += 1
            if len(report.problems) < MAX_PROBLEMS_KEPT:
                report.problems.append(Problem(where, str(item)))
            if progress:
                progress(1)
            continue
        batch.append(item)
        if len(batch) >= BATCH:
            flush()
    flush()


def ingest(
    db: Database,
    source: str,
    items: Iterable[Item],
    params: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest `items` as one recorded run. Source failures are recorded, then re-raised."""
    started = time.perf_counter()
    report = IngestReport(source=source)
    report.run_id = start_run(db, source, params or {})
    try:
        store_items(db, items, report, progress)
    except Exception as exc:
        report.status = "failed"
        report.failed += 1
        report.message = str(exc)[:2000]
        raise
    else:
        if report.seen == 0:
            report.status, report.empty_reason = "empty", report.empty_reason or "no records"
        else:
            report.status = "partial" if report.skipped else "ok"
    finally:
        report.seconds = time.perf_counter() - started
        finish_run(db, report)
    return report
