"""One recorded ingestion run: batches committed as they come, bad records counted, failures recorded."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import select

from recommender.ingest import runner
from recommender.ingest.errors import BadRecord
from recommender.ingest.runner import SOURCE_ERROR, Checkpoint, Item, RunNotes, ingest
from recommender.papers import PaperRecord
from recommender.storage.db import Database
from recommender.storage.models import IngestRun, Paper, StateEntry


def record(n: int) -> tuple[str, PaperRecord]:
    return f"line {n}", PaperRecord(id=f"2401.{n:05d}", title=f"Graph neural networks study {n}", source="file")


def run_row(db: Database, run_id: int) -> IngestRun:
    with db.session() as s:
        row = s.get(IngestRun, run_id)
        assert row is not None
        s.expunge(row)
        return row


def stored(db: Database) -> set[str]:
    with db.session() as s:
        return set(s.scalars(select(Paper.id)))


def test_a_run_counts_new_unchanged_and_skipped_and_is_recorded(db: Database) -> None:
    items: list[Item] = [record(1), record(2), ("line 3", BadRecord("no title")), record(1)]
    progress: list[int] = []
    report = ingest(db, "file", items, {"path": "x.jsonl"}, progress.append)
    assert (report.new, report.unchanged, report.skipped, report.status) == (2, 1, 1, "partial")
    assert [str(p) for p in report.problems] == ["line 3: no title"] and sum(progress) == 4
    assert sorted(report.changed_ids) == ["2401.00001", "2401.00002"] and report.seen == 4
    row = run_row(db, report.run_id)
    assert (row.source, row.status, row.new, row.unchanged, row.skipped, row.params) == (
        "file", "partial", 2, 1, 1, {"path": "x.jsonl"})
    assert row.finished_at is not None and report.as_dict()["problems"] == ["line 3: no title"]
    again = ingest(db, "file", [record(1), record(2)])
    assert (again.new, again.unchanged, again.status) == (0, 2, "ok")


def test_a_failing_source_keeps_what_came_before_and_is_recorded_then_raised(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "BATCH", 2)

    def items() -> Iterator[Item]:
        yield from (record(n) for n in range(1, 4))
        raise ConnectionError("the server went away")

    with pytest.raises(ConnectionError):
        ingest(db, "arxiv-query", items())
    assert stored(db) == {"2401.00001", "2401.00002", "2401.00003"}
    with db.session() as s:
        row = s.scalars(select(IngestRun)).one()
        assert (row.status, row.failed, row.empty_reason, row.message) == ("failed", 1, SOURCE_ERROR, "the server went away")


def test_empty_runs_keep_the_sources_reason(db: Database) -> None:
    quiet = ingest(db, "arxiv", [], notes=RunNotes(window=(date(2026, 5, 2), date(2026, 5, 2)), empty_reason="weekend"))
    assert (quiet.status, quiet.empty_reason) == ("empty", "weekend")
    row = run_row(db, quiet.run_id)
    assert (row.window_start, row.empty_reason) == (date(2026, 5, 2), "weekend")
    nothing = ingest(db, "file", [])
    assert (nothing.status, nothing.empty_reason) == ("empty", "no records")
    # A reason only counts when nothing new came: papers that did land make the run ok.
    some = ingest(db, "arxiv", [record(9)], notes=RunNotes(empty_reason="weekend", message="1 page skipped"))
    assert (some.status, some.empty_reason, some.message) == ("ok", None, "1 page skipped")


def test_a_checkpoint_commits_with_the_records_before_it(db: Database) -> None:
    def save(key: str):  # type: ignore[no-untyped-def]
        return lambda s: s.merge(StateEntry(key=key, value={"token": key}))

    def items() -> Iterator[Item]:
        yield record(1)
        yield Checkpoint(save("after-1"))
        yield Checkpoint(save("nothing-before"))
        raise TimeoutError("page 3 timed out")

    with pytest.raises(TimeoutError):
        ingest(db, "oai", items())
    assert stored(db) == {"2401.00001"}
    with db.session() as s:
        assert set(s.scalars(select(StateEntry.key))) == {"after-1", "nothing-before"}


def test_a_batch_the_database_refuses_is_written_record_by_record(db: Database) -> None:
    # Values that slipped past validation: the database refuses them (SQLite: OverflowError;
    # PostgreSQL: integer out of range, NUL in text). Only those records are lost, with where they were.
    items: list[Item] = [record(n) for n in range(1, 31)]
    items[4][1].version = 10**20
    items[9][1].doi = "10.1000/\x00" if db.backend == "postgresql" else None
    if db.backend != "postgresql":
        items[9][1].version = -(10**20)
    report = ingest(db, "file", items)
    assert {p.where for p in report.problems} == {"line 5", "line 10"}
    assert all("the database refused it" in p.message for p in report.problems)
    with db.session() as s:
        assert len(s.scalars(select(Paper.id)).all()) == 28
    assert (report.new, report.skipped, report.status) == (28, 2, "partial")
    again = ingest(db, "file", [record(n) for n in range(1, 31)])  # a re-run completes the rest
    assert (again.new, again.unchanged) == (2, 28)

