"""Local files: JSON Lines (our schema), CSV and BibTeX, chosen by extension or by name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from recommender.ingest.bibtex_file import read_bibtex
from recommender.ingest.csv_file import read_csv
from recommender.ingest.errors import BadRecord, SourceError
from recommender.ingest.jsonl import open_text, read_jsonl
from recommender.papers import PaperRecord

FORMATS = ("jsonl", "csv", "bibtex")
_SUFFIXES = {".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".bib": "bibtex", ".bibtex": "bibtex"}


def detect_format(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
    fmt = _SUFFIXES.get(suffixes[-1]) if suffixes else None
    if fmt is None:
        raise SourceError(f"{path}: cannot tell the format from the name; pass --format {'|'.join(FORMATS)}")
    return fmt


def read_file(path: Path, fmt: str | None = None, source: str = "file") -> Iterator[tuple[str, PaperRecord | BadRecord]]:
    """Yield (where, record or BadRecord); SourceError when the file itself is unusable."""
    fmt = fmt or detect_format(path)
    if fmt not in FORMATS:
        raise SourceError(f"unknown file format {fmt!r}; use one of {', '.join(FORMATS)}")
    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    try:
        with open_text(path) as stream:
            if fmt == "jsonl":
                for n, item in read_jsonl(stream, source):
                    yield f"line {n}", item
            elif fmt == "csv":
                try:
                    yield from read_csv(stream, source)
                except BadRecord as bad:
                    raise SourceError(f"{path}: {bad}") from None
            else:
                yield from read_bibtex(stream.read(), source)
    except (OSError, EOFError, UnicodeError) as exc:
        raise SourceError(f"{path}: cannot read the file ({exc})") from None
