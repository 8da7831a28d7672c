"""The arXiv export API (Atom): metadata by `id_list`, and paged search queries."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from time import struct_time
from typing import Any

import feedparser

from recommender.ingest.errors import BadRecord
from recommender.ingest.http import BadPayload, PoliteClient
from recommender.ingest.identity import clean_doi
from recommender.papers import InvalidPaperId, PaperRecord, split_arxiv_id

log = logging.getLogger(__name__)
ID_BATCH = 100  # ids per id_list request
PAGE_SIZE = 200  # results per search page (arXiv allows up to 2000; smaller pages fail less)
EMPTY_PAGE_RETRIES = 2  # the API sometimes returns an empty page mid-query; ask again

Parsed = tuple[str, PaperRecord | BadRecord]


@dataclass
class ApiPage:
    total: int | None
    items: list[Parsed]


def parse_feed(content: bytes, what: str) -> Any:
    """feedparser, refusing truncated XML and anything that is not a feed (HTML pages)."""
    try:
        parsed = feedparser.parse(content)
    except Exception as exc:  # noqa: BLE001 - feedparser itself fails on some input (e.g. `&#x110000;`: ValueError)
        raise BadPayload(f"{what} could not be read as a feed ({type(exc).__name__}: {str(exc)[:120]})") from None
    error = parsed.get("bozo_exception")
    if parsed.get("bozo") and not isinstance(error, feedparser.CharacterEncodingOverride):
        raise BadPayload(f"{what} is not well-formed XML ({error}); truncated?")
    if not parsed.get("version"):
        head = content[:200].decode("utf-8", "replace").strip().lower()
        kind = "an HTML page" if "<html" in head or "<!doctype html" in head else "not a feed"
        raise BadPayload(f"{what} returned {kind} instead of a feed")
    return parsed


def to_date(value: struct_time | None) -> date | None:
    if not value:
        return None
    return datetime(*value[:6], tzinfo=timezone.utc).date()


def entry_record(entry: Any, source: str) -> PaperRecord:
    """One Atom entry of the export API as a PaperRecord; BadRecord when unusable."""
    raw_id = entry.get("id") or ""
    if "/api/errors" in raw_id:
        raise BadRecord(f"the API reported an error: {entry.get('summary', '')[:200]}")
    try:
        pid, version = split_arxiv_id(raw_id)
    except InvalidPaperId:
        raise BadRecord(f"id {raw_id[:80]!r} is not an arXiv id") from None
    title = entry.get("title") or ""
    if not title.strip():
        raise BadRecord(f"{pid}: no title")
    primary = (entry.get("arxiv_primary_category") or {}).get("term")
    categories = [primary] if primary else []
    categories += [t.get("term") for t in entry.get("tags", []) if t.get("term")]
    return PaperRecord(
        id=pid,
        version=version,
        title=title,
        abstract=entry.get("summary") or "",
        authors=[a.get("name", "") for a in entry.get("authors", []) if a.get("name")],
        categories=categories,
        published=to_date(entry.get("published_parsed")),
        updated=to_date(entry.get("updated_parsed")),
        doi=clean_doi(entry.get("arxiv_doi")),
        source=source,
    )


def parse_api_page(content: bytes, source: str = "arxiv", label: str = "page") -> ApiPage:
    parsed = parse_feed(content, "the arXiv API")
    items: list[Parsed] = []
    for n, entry in enumerate(parsed.entries, start=1):
        try:
            items.append((f"{label} entry {n}", entry_record(entry, source)))
        except BadRecord as bad:
            items.append((f"{label} entry {n}", bad))
    total = parsed.feed.get("opensearch_totalresults")
    text = str(total or "")
    return ApiPage(int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None, items)


def fetch_ids(client: PoliteClient, url: str, ids: list[str], source: str = "arxiv", batch: int = ID_BATCH) -> Iterator[Parsed]:
    """Full metadata for `ids`, `batch` ids per request (ids without version: the newest)."""
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        label = f"id batch {start // batch + 1}"
        params = {"id_list": ",".join(chunk), "max_results": len(chunk)}
        page = client.get(url, params, lambda body, label=label: parse_api_page(body, source, label))
        yield from page.items


def search(
    client: PoliteClient,
    url: str,
    query: str,
    limit: int,
    page_size: int = PAGE_SIZE,
    source: str = "arxiv-query",
    problems: list[str] | None = None,
    max_pages: int = 5000,
) -> Iterator[Parsed]:
    """Up to `limit` results of a search query, newest submissions first, page by page.

    Loop guards besides `limit`: at most `max_pages` requests, and a page that
    brings only papers already seen in this query ends it (the server is repeating itself).
    """
    start, empty_tries, requests = 0, 0, 0
    seen: set[str] = set()
    while start < limit:
        if requests >= max_pages:
            if problems is not None:
                problems.append(f"stopped after {max_pages:,} requests (PAPERBOT_INGEST_MAX_PAGES)")
            return
        requests += 1
        size = min(page_size, limit - start)
        params = {"search_query": query, "start": start, "max_results": size,
                  "sortBy": "submittedDate", "sortOrder": "descending"}
        label = f"page {start // page_size + 1}"
        page = client.get(url, params, lambda body, label=label: parse_api_page(body, source, label))
        total = page.total if page.total is not None else limit
        if not page.items:
            if start >= total or empty_tries >= EMPTY_PAGE_RETRIES:
                if start < total and problems is not None:
                    problems.append(f"the API returned empty pages at {start} of {total}; stopped early")
                return
            empty_tries += 1
            log.warning("arXiv API: empty page at %d of %d, asking again", start, total)
            continue
        empty_tries = 0
        ids = {item.id for _, item in page.items if not isinstance(item, BadRecord)}
        if ids and ids <= seen:
            if problems is not None:
                problems.append(f"the API sent the same papers again at {start} of {total}; stopped")
            return
        seen |= ids
        yield from page.items
        start += len(page.items)
        if start >= total:
            return
