"""CSV files: one paper per row, with a header naming the columns.

Columns (case-insensitive; aliases in brackets): id [arxiv_id, arxiv], title,
abstract [summary], authors (separated by ";" or "|", else ","), categories
(separated by spaces, ";" or ","), published [date], updated, doi. Rows without
an arXiv id get a provisional id from their DOI or title. A field longer than
the record limit, or a row the csv module cannot read, costs only that row.
"""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Iterator
from typing import IO

from recommender.ingest.errors import BadRecord
from recommender.ingest.identity import clean_doi, provisional_id
from recommender.ingest.limits import IngestLimits, within_budget
from recommender.papers import PaperRecord, strip_controls

ALIASES = {
    "arxiv_id": "id", "arxiv": "id", "paper_id": "id", "summary": "abstract", "date": "published",
    "author": "authors", "category": "categories", "title ": "title",
}


def _split_authors(text: str) -> list[str]:
    sep = ";" if ";" in text else "|" if "|" in text else ","
    return [a.strip() for a in text.split(sep) if a.strip()]


def row_record(row: dict[str, str], source: str = "file") -> PaperRecord:
    data: dict[str, object] = {}
    for key, value in row.items():
        if key is None:
            raise BadRecord("more fields than the header names")
        name = ALIASES.get(key.strip().lower(), key.strip().lower())
        if isinstance(value, str):
            data[name] = value.strip()
    title = strip_controls(str(data.get("title") or ""))
    if not title:
        raise BadRecord("title: must not be empty")
    doi = clean_doi(strip_controls(str(data.get("doi") or ""))) if data.get("doi") else None
    data["doi"] = doi
    if not data.get("id"):
        data["id"] = provisional_id(doi, title)
    data["authors"] = _split_authors(str(data.get("authors") or ""))
    data["categories"] = re.split(r"[\s;,]+", str(data.get("categories") or "").strip()) if data.get("categories") else []
    for name in ("published", "updated"):
        if not data.get(name):
            data[name] = None
    data.pop("version", None)  # a CSV's version column is not trusted over the id's
    return PaperRecord.parse(data, source)


def read_csv(
    stream: IO[str], source: str = "file", limits: IngestLimits | None = None
) -> Iterator[tuple[str, PaperRecord | BadRecord]]:
    limits = limits or IngestLimits()
    csv.field_size_limit(limits.max_record_chars)
    reader = csv.DictReader(stream)
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        raise BadRecord(f"the CSV header cannot be read ({exc})") from None
    if not fieldnames or "title" not in {f.strip().lower() for f in fieldnames}:
        raise BadRecord("the CSV header has no 'title' column")
    while True:
        where = f"line {reader.line_num + 1}"  # where the row starts (a quoted field can span lines)
        started = time.perf_counter()
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            message = str(exc)
            if "field larger than field limit" in message:
                message = (f"a field longer than {limits.max_record_chars:,} characters "
                           "(PAPERBOT_INGEST_MAX_RECORD_KB)")
            yield where, BadRecord(f"unreadable CSV row: {message}")
            continue
        try:
            yield where, within_budget(row_record(row, source), started, limits)
        except BadRecord as bad:
            yield where, bad
