"""Hugging Face Daily Papers (`/api/daily_papers?date=`): arXiv papers with upvotes.

Every item is keyed by its arXiv id, so a paper that also came from arXiv stays
one paper; its upvotes go to `paper_sources` (source "hf") for /trending.
Hugging Face's text only fills fields arXiv has not given (see store.SECONDARY).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from recommender.ingest.errors import BadRecord
from recommender.ingest.errors import SourceError
from recommender.ingest.http import BadPayload, PoliteClient
from recommender.ingest.limits import depth
from recommender.ingest.runner import Item, RunNotes
from recommender.ingest.store import Entry, Sighting
from recommender.papers import InvalidPaperId, PaperRecord, split_arxiv_id

SOURCE = "hf"


def _day(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


MAX_UPVOTES = 2**31 - 1  # paper_sources.upvotes is a 32-bit integer
MAX_DEPTH = 32


def parse_daily(content: bytes, max_depth: int = MAX_DEPTH) -> list[Any]:
    too_deep = f"Hugging Face returned JSON nested deeper than {max_depth} levels (PAPERBOT_INGEST_MAX_DEPTH)"
    try:
        data = json.loads(content)
    except RecursionError:
        raise SourceError(too_deep) from None
    except ValueError as exc:  # broken JSON, not UTF-8, an integer of more than 4,300 digits
        head = content[:100].decode("utf-8", "replace").lower()
        kind = "an HTML page" if "<html" in head or "<!doctype" in head else f"broken JSON ({exc})"
        raise BadPayload(f"Hugging Face returned {kind}") from None
    if not isinstance(data, list):
        raise BadPayload(f"Hugging Face returned a JSON {type(data).__name__}, not a list of papers")
    return data


def _too_deep(item: Any, max_depth: int) -> BadRecord | None:
    if depth(item, max_depth) > max_depth:
        return BadRecord(f"nested deeper than {max_depth} levels (PAPERBOT_INGEST_MAX_DEPTH)")
    return None


def item_entry(item: Any, day: date) -> Entry:
    if not isinstance(item, dict) or not isinstance(item.get("paper"), dict):
        raise BadRecord("not a daily-paper object")
    paper = item["paper"]
    raw_id = str(paper.get("id") or "")
    try:
        pid, version = split_arxiv_id(raw_id)
    except InvalidPaperId:
        raise BadRecord(f"id {raw_id[:80]!r} is not an arXiv id") from None
    title = paper.get("title") or item.get("title") or ""
    if not isinstance(title, str) or not title.strip():
        raise BadRecord(f"{pid}: no title")
    raw_authors = paper.get("authors")
    authors = [a["name"] for a in raw_authors if isinstance(a, dict) and isinstance(a.get("name"), str)] \
        if isinstance(raw_authors, list) else []
    summary = paper.get("summary") or item.get("summary") or ""
    upvotes = paper.get("upvotes")
    if not isinstance(upvotes, int) or isinstance(upvotes, bool) or not 0 <= upvotes <= MAX_UPVOTES:
        upvotes = None
    record = PaperRecord(
        id=pid, version=version, title=title, abstract=summary if isinstance(summary, str) else "",
        authors=authors, published=_day(paper.get("publishedAt")), source=SOURCE,
    )
    listed = _day(paper.get("submittedOnDailyAt")) or day
    return Entry(record, Sighting(SOURCE, pid, listed_on=listed, upvotes=upvotes))


def daily_items(
    client: PoliteClient, url: str, days: list[date], notes: RunNotes, max_depth: int = MAX_DEPTH
) -> Iterator[Item]:
    notes.window = (min(days), max(days))
    total = 0
    for day in days:
        data = client.get(url, {"date": day.isoformat()}, lambda body: parse_daily(body, max_depth))
        total += len(data)
        for n, item in enumerate(data, start=1):
            where = f"{day.isoformat()} item {n}"
            deep = _too_deep(item, max_depth)
            if deep is not None:
                yield where, deep
                continue
            try:
                yield where, item_entry(item, day)
            except BadRecord as bad:
                yield where, bad
    if total == 0:
        notes.empty_reason = "weekend" if all(d.weekday() >= 5 for d in days) else "no papers listed"
