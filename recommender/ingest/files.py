"""Local files: JSON Lines (our schema), CSV and BibTeX, chosen by extension or by name.

Every file is checked against the limits (size, records) and decoded in the
encoding detected from its first bytes (`encoding.open_text`); a file that is
not text, or in an encoding paperbot will not guess, is refused as a whole
with a message saying what was found and how to convert it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from recommender.ingest.bibtex_file import read_bibtex
from recommender.ingest.csv_file import read_csv
from recommender.ingest.encoding import open_text
from recommender.ingest.errors import BadRecord, SourceError
from recommender.ingest.jsonl import read_jsonl
from recommender.ingest.limits import IngestLimits
from recommender.ingest.runner import Item, RunNotes
from recommender.papers import PaperRecord

FORMATS = ("jsonl", "csv", "bibtex")
_SUFFIXES = {".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".bib": "bibtex", ".bibtex": "bibtex"}


def detect_format(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
    fmt = _SUFFIXES.get(suffixes[-1]) if suffixes else None
    if fmt is None:
        raise SourceError(f"{path}: cannot tell the format from the name; pass --format {'|'.join(FORMATS)}")
    return fmt


def _records(path: Path, fmt: str, source: str, limits: IngestLimits, notes: RunNotes) -> Iterator[tuple[str, PaperRecord | BadRecord]]:
    stream, decoding = open_text(path, newline="" if fmt == "csv" else None)
    if decoding.note:
        notes.message = decoding.note
    with stream:
        if fmt == "jsonl":
            for n, item in read_jsonl(stream, source, limits):
                yield f"line {n}", item
        elif fmt == "csv":
            try:
                yield from read_csv(stream, source, limits)
            except BadRecord as bad:
                raise SourceError(f"{path}: {bad}") from None
        else:
            yield from read_bibtex(stream.read(), source, limits)


def read_file(
    path: Path, fmt: str | None = None, source: str = "file", limits: IngestLimits | None = None,
    notes: RunNotes | None = None,
) -> Iterator[Item]:
    """Yield (where, record or BadRecord); SourceError when the file itself is unusable."""
    limits = limits or IngestLimits()
    notes = notes or RunNotes()
    fmt = fmt or detect_format(path)
    if fmt not in FORMATS:
        raise SourceError(f"unknown file format {fmt!r}; use one of {', '.join(FORMATS)}")
    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise SourceError(
            f"{path}: {size / 2**20:,.0f} MB, more than the limit of {limits.max_file_bytes / 2**20:,.0f} MB "
            "(PAPERBOT_INGEST_MAX_FILE_MB); split the file or raise the limit"
        )
    count = 0
    try:
        for item in _records(path, fmt, source, limits, notes):
            count += 1
            if count > limits.max_records:
                raise SourceError(
                    f"{path}: more than {limits.max_records:,} records (PAPERBOT_INGEST_MAX_RECORDS); the first "
                    f"{limits.max_records:,} were imported; split the file or raise the limit"
                )
            yield item
    except (OSError, EOFError) as exc:
        raise SourceError(f"{path}: cannot read the file ({exc})") from None
    except UnicodeError as exc:
        raise SourceError(
            f"{path}: the text stops being valid {getattr(exc, 'encoding', 'text')} ({getattr(exc, 'reason', exc)}) "
            f"after {count:,} records; the records before were imported"
        ) from None
