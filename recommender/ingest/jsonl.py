"""JSON Lines in the arXiv sample's schema: one paper object per line.

Each line is read with a length cap (a longer line is skipped without being
held in memory whole), decoded with a nesting cap, and validated by
`PaperRecord`, so a bad line costs only itself.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from recommender.ingest import encoding
from recommender.ingest.errors import BadRecord
from recommender.ingest.limits import IngestLimits, depth, within_budget
from recommender.papers import PaperRecord


def record_from_json(obj: object, source: str = "file") -> PaperRecord:
    """Validate one decoded JSON value; raise BadRecord with a readable reason."""
    if not isinstance(obj, dict):
        raise BadRecord(f"expected a JSON object, got {type(obj).__name__}")
    return PaperRecord.parse(obj, source)


def open_text(path: Path) -> IO[str]:
    """The file as text in its detected encoding (`.gz` files decompressed); SourceError when it is not text."""
    return encoding.open_text(path)[0]


def loads(text: str, max_depth: int) -> object:
    """`json.loads`, refusing what nests deeper than `max_depth` (BadRecord)."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadRecord(f"broken JSON ({exc.msg} at column {exc.colno})") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise BadRecord(f"unreadable JSON ({exc})") from None
    except RecursionError:
        raise BadRecord(f"JSON nested deeper than {max_depth} levels (PAPERBOT_INGEST_MAX_DEPTH)") from None
    if depth(obj, max_depth) > max_depth:
        raise BadRecord(f"JSON nested deeper than {max_depth} levels (PAPERBOT_INGEST_MAX_DEPTH)")
    return obj


def lines(stream: IO[str], limit: int) -> Iterator[tuple[int, str | None, int]]:
    """(line number, the line or None when longer than `limit`, its length), never holding more than `limit`."""
    number = 0
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) <= limit or line.endswith("\n"):
            yield number, line, len(line)
            continue
        size = len(line)
        while line and not line.endswith("\n"):
            line = stream.readline(limit + 1)
            size += len(line)
        yield number, None, size


def read_jsonl(
    stream: IO[str], source: str = "file", limits: IngestLimits | None = None
) -> Iterator[tuple[int, PaperRecord | BadRecord]]:
    """Yield (line number, record or BadRecord) for every non-blank line."""
    limits = limits or IngestLimits()
    started = time.perf_counter()
    for number, line, size in lines(stream, limits.max_record_chars):
        if line is None:
            yield number, BadRecord(
                f"a line of {size:,} characters, more than the limit of {limits.max_record_chars:,} "
                "(PAPERBOT_INGEST_MAX_RECORD_KB)"
            )
            continue
        if not line.strip():
            started = time.perf_counter()
            continue
        try:
            item: PaperRecord | BadRecord = record_from_json(loads(line, limits.max_depth), source)
        except BadRecord as bad:
            item = bad
        yield number, within_budget(item, started, limits)
        started = time.perf_counter()
