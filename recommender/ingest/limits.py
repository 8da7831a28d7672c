"""The limits every import and feed works within (PAPERBOT_INGEST_* settings)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from recommender.config import Settings
from recommender.papers import BadRecord, PaperRecord, RecordLimits


@dataclass(frozen=True)
class IngestLimits:
    record: RecordLimits = field(default_factory=RecordLimits)
    max_file_bytes: int = 2048 * 2**20
    max_records: int = 5_000_000  # records per file
    max_record_chars: int = 2**20  # one JSON line, CSV field or BibTeX entry
    max_depth: int = 32  # nesting of JSON (a paper is 2 levels deep)
    record_seconds: float = 5.0  # reading one record takes longer: it is refused
    max_pages: int = 5000  # pages of one paged feed request (OAI-PMH, an API search)

    @classmethod
    def from_settings(cls, settings: Settings) -> IngestLimits:
        return cls(
            record=RecordLimits(
                title=settings.ingest_max_title, abstract=settings.ingest_max_abstract,
                authors=settings.ingest_max_authors, author=RecordLimits().author,
            ),
            max_file_bytes=settings.ingest_max_file_mb * 2**20,
            max_records=settings.ingest_max_records,
            max_record_chars=settings.ingest_max_record_kb * 1024,
            max_depth=settings.ingest_max_depth,
            record_seconds=settings.ingest_record_seconds,
            max_pages=settings.ingest_max_pages,
        )


def within_budget(item: PaperRecord | BadRecord, started: float, limits: IngestLimits) -> PaperRecord | BadRecord:
    """`item`, or a BadRecord when reading it took longer than the per-record time budget."""
    took = time.perf_counter() - started
    if isinstance(item, BadRecord) or took <= limits.record_seconds:
        return item
    return BadRecord(f"took {took:.1f} s to read, more than {limits.record_seconds:g} s (PAPERBOT_INGEST_RECORD_SECONDS)")


def depth(value: Any, limit: int) -> int:
    """How deeply `value` (decoded JSON) nests, counting up to `limit` + 1 at most (no recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, level)
            if deepest > limit:
                return deepest
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest
