"""The ingestion limits: read from the settings, and JSON depth measured without recursion."""

from __future__ import annotations

import io

from recommender.ingest.bibtex_file import read_bibtex
from recommender.ingest.csv_file import read_csv
from recommender.ingest.jsonl import read_jsonl
from recommender.ingest.limits import IngestLimits, depth
from recommender.papers import BadRecord
from tests.conftest import make_settings


def test_limits_come_from_the_settings(tmp_path) -> None:
    limits = IngestLimits.from_settings(make_settings(
        tmp_path, ingest_max_title=300, ingest_max_abstract=5000, ingest_max_record_kb=64, ingest_max_depth=8,
        ingest_max_file_mb=10, ingest_max_records=100, ingest_record_seconds=1.5, ingest_max_pages=7,
    ))
    assert (limits.record.title, limits.record.abstract) == (300, 5000)
    assert (limits.max_record_chars, limits.max_depth, limits.max_file_bytes) == (65536, 8, 10 * 2**20)
    assert (limits.max_records, limits.record_seconds, limits.max_pages) == (100, 1.5, 7)
    assert IngestLimits.from_settings(make_settings(tmp_path)) == IngestLimits()  # the defaults agree


def test_depth_counts_levels_and_stops_early() -> None:
    assert depth("text", 5) == 0 and depth({"a": [1, {"b": []}]}, 5) == 4
    deep: list = []
    node = deep
    for _ in range(100_000):  # deeper than Python's recursion limit
        node.append([])
        node = node[0]
    assert depth(deep, 32) == 33


def test_a_record_over_the_time_budget_is_refused_by_every_reader() -> None:
    # The budget counts one record's own work (not the file's detection or a BibTeX file's split).
    tight, roomy = IngestLimits(record_seconds=1e-9), IngestLimits()
    readers = {
        "jsonl": lambda lim: list(read_jsonl(io.StringIO('{"id": "2705.00001", "title": "Graph networks"}\n'),
                                             limits=lim)),
        "csv": lambda lim: list(read_csv(io.StringIO("id,title\n2705.00001,Graph networks\n"), limits=lim)),
        "bibtex": lambda lim: list(read_bibtex("@article{a, title={Graph networks}}", limits=lim)),
    }
    for name, read in readers.items():
        (where, item), = read(tight)
        assert isinstance(item, BadRecord) and "more than 1e-09 s (PAPERBOT_INGEST_RECORD_SECONDS)" in str(item), name
        (_, item), = read(roomy)
        assert not isinstance(item, BadRecord), name
