"""Run one ingestion: stream records into the store in batches and record the run.

A bad record is counted, reported with where it was, and skipped. A batch the
database refuses is written again record by record, so one record the database
cannot take costs only itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from recommender.ingest.errors import BadRecord
from recommender.ingest.store import BATCH, Entry, upsert_batch
from recommender.papers import PaperRecord
from recommender.storage.db import Database
from recommender.storage.models import IngestRun, utcnow

MAX_PROBLEMS_KEPT = 1000
# What a driver raises for one value it cannot store (besides SQLAlchemy's own errors).
DATABASE_ERRORS = (SQLAlchemyError, OverflowError, UnicodeEncodeError)
SOURCE_ERROR = "source error"
Progress = Callable[[int], None]


@dataclass
class Checkpoint:
    """Emitted by a source between pages: everything before it is committed
    together with `save` (e.g. the next OAI resumption token)."""

    save: Callable[[Session], None]


@dataclass
class RunNotes:
    """What a source learns while it runs: the window covered, why it was empty."""

    window: tuple[date | None, date | None] = (None, None)
    empty_reason: str | None = None
    message: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


Item = tuple[str, PaperRecord | Entry | BadRecord] | Checkpoint


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
    notes: list[Problem] = field(default_factory=list)  # records stored, with something cut
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
            "notes": [str(n) for n in self.notes],
        }

    def skip(self, where: str, message: str) -> None:
        self.skipped += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(Problem(where, message))


def start_run(db: Database, source: str, params: dict[str, Any], window: tuple[date | None, date | None] = (None, None)) -> int:
    with db.session() as s:
        run = IngestRun(source=source, params=params, window_start=window[0], window_end=window[1])
        s.add(run)
        s.flush()
        return run.id


def finish_run(db: Database, report: IngestReport, notes: RunNotes | None = None) -> None:
    with db.session() as s:
        run = s.get(IngestRun, report.run_id)
        if run is None:
            return
        if notes is not None:
            run.window_start, run.window_end = notes.window
            if notes.params:
                run.params = {**(run.params or {}), **notes.params}
        run.finished_at = utcnow()
        run.status = report.status
        run.new, run.updated, run.unchanged = report.new, report.updated, report.unchanged
        run.skipped, run.failed = report.skipped, report.failed
        run.empty_reason = report.empty_reason
        run.message = report.message


def _database_says(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = " ".join(str(orig).split())
    return f"the database refused it ({type(orig).__name__}: {text[:200]})"


def _write(db: Database, pairs: list[tuple[str, PaperRecord | Entry]], report: IngestReport,
           checkpoint: Checkpoint | None) -> None:
    """Upsert one batch in one transaction; if the database refuses it, record by record."""
    try:
        with db.session() as s:
            results, refused = [upsert_batch(s, [item for _, item in pairs])], 0
            if checkpoint is not None:
                checkpoint.save(s)
    except DATABASE_ERRORS:
        results, refused = [], 0
        for where, item in pairs:
            try:
                with db.session() as s:
                    results.append(upsert_batch(s, [item]))
            except DATABASE_ERRORS as exc:
                refused += 1
                report.skip(where, _database_says(exc))
        if checkpoint is not None:
            with db.session() as s:
                checkpoint.save(s)
    stored = 0
    for result in results:
        report.new += result.new
        report.updated += result.updated
        report.unchanged += result.unchanged
        report.changed_ids.extend(result.changed_ids)
        stored += result.new + result.updated + result.unchanged
    # Records of the batch that were merged into another of the same batch count as unchanged.
    report.unchanged += len(pairs) - stored - refused


def store_items(db: Database, items: Iterable[Item], report: IngestReport, progress: Progress | None = None) -> None:
    """Upsert good records batch by batch (each batch commits); count and keep bad ones."""
    batch: list[tuple[str, PaperRecord | Entry]] = []

    def flush(checkpoint: Checkpoint | None = None) -> None:
        if not batch:
            if checkpoint is not None:
                with db.session() as s:
                    checkpoint.save(s)
            return
        _write(db, batch, report, checkpoint)
        if progress:
            progress(len(batch))
        batch.clear()

    iterator = iter(items)
    while True:
        try:
            entry = next(iterator)
        except StopIteration:
            break
        except Exception:
            flush()  # keep the good records read before the source failed
            raise
        if isinstance(entry, Checkpoint):
            flush(entry)
            continue
        where, item = entry
        if isinstance(item, BadRecord):
            report.skip(where, str(item))
            if progress:
                progress(1)
            continue
        record = item.record if isinstance(item, Entry) else item
        for note in record.notes:
            if len(report.notes) < MAX_PROBLEMS_KEPT:
                report.notes.append(Problem(where, note))
        batch.append((where, item))
        if len(batch) >= BATCH:
            flush()
    flush()


def ingest(
    db: Database,
    source: str,
    items: Iterable[Item],
    params: dict[str, Any] | None = None,
    progress: Progress | None = None,
    notes: RunNotes | None = None,
) -> IngestReport:
    """Ingest `items` as one recorded run. Source failures are recorded, then re-raised.

    A run that stored nothing new is "empty"; when the source said why (weekend,
    arXiv holiday) that reason is kept for the digests.
    """
    started = time.perf_counter()
    report = IngestReport(source=source)
    report.run_id = start_run(db, source, params or {}, notes.window if notes else (None, None))
    try:
        store_items(db, items, report, progress)
    except Exception as exc:
        report.status = "failed"
        report.failed += 1
        report.empty_reason = SOURCE_ERROR
        report.message = str(exc)[:2000]
        raise
    else:
        reason = notes.empty_reason if notes else None
        if reason and report.new + report.updated == 0:
            report.status, report.empty_reason = "empty", reason
        elif report.seen == 0:
            report.status, report.empty_reason = "empty", report.empty_reason or "no records"
        else:
            report.status = "partial" if report.skipped else "ok"
        if notes and notes.message:
            report.message = notes.message[:2000]
    finally:
        report.seconds = time.perf_counter() - started
        finish_run(db, report, notes)
    return report
