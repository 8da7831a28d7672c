"""CSV files: one paper per row, with a header naming the columns.

Columns (case-insensitive; aliases in brackets): id [arxiv_id, arxiv], title,
abstract [summary], authors (separated by ";" or "|", else ","), categories
(separated by spaces, ";" or ","), published [date], updated, doi. Rows without
an arXiv id get a provisional id from their DOI or title.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import IO

from recommender.ingest.errors import BadRecord
from recommender.ingest.identity import clean_doi, provisional_id
from recommender.ingest.jsonl import record_from_json
from recommender.papers import PaperRecord

ALIASES = {
    "arxiv_id": "id", "arxiv": "id", "paper_id": "id", "summary": "abstract", "date": "published",
    "author": "authors", "category": "categories", "title ": "title",
}
csv.field_size_limit(16 * 2**20)


def _split_authors(text: str) -> list[str]:
    sep = ";" if ";" in text else "|" if "|" in text else ","
    return [a.strip() for a in text.split(sep) if a.strip()]


def row_record(row: dict[str, str], source: str = "file") -> PaperRecord:
    data: dict[str, object] = {}
    for key, value in row.items():
        if key is None:
            raise BadRecord("more fields than the header names")
        name = ALIASES.get(key.strip().lower(), key.strip().lower())
        data[name] = (value or "").strip()
    title = str(data.get("title") or "")
    if not title:
        raise BadRecord("title: must not be empty")
    doi = clean_doi(str(data.get("doi") or "")) if data.get("doi") else None
    data["doi"] = doi
    if not data.get("id"):
        data["id"] = provisional_id(doi, title)
    data["authors"] = _split_authors(str(data.get("authors") or ""))
    data["categories"] = re.split(r"[\s;,]+", str(data.get("categories") or "").strip()) if data.get("categories") else []
    for name in ("published", "updated"):
        if not data.get(name):
            data[name] = None
    return record_from_json(data, source)


def read_csv(stream: IO[str], source: str = "file") -> Iterator[tuple[str, PaperRecord | BadRecord]]:
    reader = csv.DictReader(stream)
    if not reader.fieldnames or "title" not in {f.strip().lower() for f in reader.fieldnames}:
        raise BadRecord("the CSV header has no 'title' column")
    for row in reader:
        where = f"line {reader.line_num}"
        try:
            yield where, row_record(row, source)
        except BadRecord as bad:
            yield where, bad
        except csv.Error as exc:
            yield where, BadRecord(f"broken CSV ({exc})")
