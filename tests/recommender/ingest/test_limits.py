"""The ingestion limits: read from the settings, and JSON depth measured without recursion."""

from __future__ import annotations

from recommender.ingest.limits import IngestLimits, depth
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
