"""Ingestion's two failures: one bad record (skipped, reported with why) and a whole source."""

from __future__ import annotations

from pathlib import Path

import pytest

from recommender.ingest.errors import BadRecord, SourceError
from recommender.ingest.files import read_file
from recommender.ingest.jobs import run_file
from recommender.ingest.jsonl import record_from_json
from recommender.storage.db import Database


def test_a_bad_record_is_returned_with_its_reason_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "papers.jsonl"
    path.write_text('{"id": "2401.00001", "title": "Graph neural networks"}\n[1, 2]\n', encoding="utf-8")
    items = list(read_file(path))
    assert len(items) == 2
    (_, good), (where, bad) = items
    assert not isinstance(good, BadRecord) and good.id == "2401.00001"
    assert isinstance(bad, BadRecord) and "line 2" in where and "JSON object" in str(bad)


def test_a_record_that_is_not_an_object_raises_bad_record() -> None:
    with pytest.raises(BadRecord, match="expected a JSON object, got str"):
        record_from_json("just a string")


def test_a_missing_file_is_a_source_error(db: Database, tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        run_file(db, tmp_path / "nowhere.jsonl")
    assert not issubclass(SourceError, BadRecord) and not issubclass(BadRecord, SourceError)
