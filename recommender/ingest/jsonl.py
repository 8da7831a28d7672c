"""JSON Lines in the arXiv sample's schema: one paper object per line."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import IO

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from recommender.ingest.errors import BadRecord
from recommender.papers import InvalidPaperId, PaperRecord, split_arxiv_id

_ID_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:/_-")


class JsonPaper(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    id: str
    title: str
    abstract: str = ""
    authors: list[str] = []
    categories: list[str] = []
    published: date | None = None
    updated: date | None = None
    doi: str | None = None

    @field_validator("id", "title")
    @classmethod
    def _not_empty(cls, value: str) -> str:
        if not value:
            raise ValueError("must not be empty")
        return value

    @field_validator("published", "updated", mode="before")
    @classmethod
    def _date(cls, value: object) -> object:
        if isinstance(value, str) and len(value) > 10:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        return value

    @field_validator("abstract", mode="before")
    @classmethod
    def _abstract(cls, value: object) -> object:
        return "" if value is None else value


def record_from_json(obj: object, source: str = "file") -> PaperRecord:
    """Validate one decoded JSON value; raise BadRecord with a readable reason."""
    if not isinstance(obj, dict):
        raise BadRecord(f"expected a JSON object, got {type(obj).__name__}")
    try:
        paper = JsonPaper.model_validate(obj)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "record"
        raise BadRecord(f"{where}: {first['msg']}") from None
    try:
        pid, version = split_arxiv_id(paper.id)
    except InvalidPaperId:
        if len(paper.id) > 64 or not set(paper.id) <= _ID_CHARS:
            raise BadRecord(f"id: {paper.id[:80]!r} is not an arXiv id or a short plain identifier") from None
        pid, version = paper.id, None
    return PaperRecord(
        id=pid,
        version=version,
        title=paper.title,
        abstract=paper.abstract,
        authors=paper.authors,
        categories=paper.categories,
        published=paper.published,
        updated=paper.updated,
        doi=paper.doi,
        source=source,
    )


def open_text(path: Path) -> IO[str]:
    """Open a UTF-8 text file, transparently gunzipping `.gz` files."""
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="replace")
    return path.open("r", encoding="utf-8", errors="replace")


def read_jsonl(stream: IO[str], source: str = "file") -> Iterator[tuple[int, PaperRecord | BadRecord]]:
    """Yield (line number, record or BadRecord) for every non-blank line."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, BadRecord(f"broken JSON ({exc.msg} at column {exc.colno})")
            continue
        try:
            yield number, record_from_json(obj, source)
        except BadRecord as bad:
            yield number, bad
