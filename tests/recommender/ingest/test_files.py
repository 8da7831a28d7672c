"""Local files: the format from the extension, or --format when it says nothing."""

from __future__ import annotations

import pytest

from recommender.ingest.errors import SourceError
from recommender.ingest.jobs import run_file
from recommender.ingest.limits import IngestLimits
from tests.support.sources import CSV
from tests.support.stored import papers, write


def test_unknown_extension_needs_a_format(db, tmp_path) -> None:
    path = write(tmp_path, "papers.txt", CSV)
    with pytest.raises(SourceError, match="--format"):
        run_file(db, path)
    assert run_file(db, path, "csv").new == 2


def test_the_file_size_and_record_limits(db, tmp_path) -> None:
    lines = "".join(f'{{"id": "2705.{n:05d}", "title": "Graph networks study {n}"}}\n' for n in range(1, 11))
    path = write(tmp_path, "ten.jsonl", lines)
    with pytest.raises(SourceError, match=r"more than 4 records \(PAPERBOT_INGEST_MAX_RECORDS\); the first 4 were"):
        run_file(db, path, limits=IngestLimits(max_records=4))
    assert len(papers(db)) == 4  # the records before the limit are kept
    with pytest.raises(SourceError, match=r"more than the limit of 0 MB \(PAPERBOT_INGEST_MAX_FILE_MB\)"):
        run_file(db, path, limits=IngestLimits(max_file_bytes=100))
