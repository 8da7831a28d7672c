"""The daily arXiv listing (rss.arxiv.org, RSS 2.0 or Atom) and arXiv's announcement calendar."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from recommender.ingest.arxiv_api import parse_feed
from recommender.ingest.errors import BadRecord
from recommender.papers import InvalidPaperId, PaperRecord, split_arxiv_id

ARXIV_TZ = ZoneInfo("America/New_York")  # arXiv announces and dates its listings in US Eastern time
WEEKEND = "weekend"
HOLIDAY = "arXiv holiday"
NEW_TYPES = frozenset({"new", "cross"})
REPLACE_TYPES = frozenset({"replace", "replace-cross"})
_ANNOUNCE = re.compile(r"Announce Type:\s*([\w-]+)", re.IGNORECASE)
_ABSTRACT = re.compile(r"^.*?Abstract:\s*", re.DOTALL)


@dataclass
class ListedPaper:
    id: str
    version: int | None
    announce_type: str
    record: PaperRecord  # what the listing itself says; the API gives the full record


@dataclass
class Listing:
    day: date | None
    papers: list[ListedPaper] = field(default_factory=list)
    problems: list[tuple[str, BadRecord]] = field(default_factory=list)


def eastern_day(moment: datetime) -> date:
    return moment.astimezone(ARXIV_TZ).date()


def quiet_day_reason(day: date) -> str:
    """Why arXiv announced nothing on `day` (US Eastern): a weekend or a holiday."""
    return WEEKEND if day.weekday() >= 5 else HOLIDAY


def _split_authors(text: str) -> list[str]:
    parts = re.split(r",\s*|\s+and\s+", text)
    return [p.strip() for p in parts if p.strip()]


def _listed(entry: Any, day: date | None) -> ListedPaper:
    raw = entry.get("id") or entry.get("link") or ""
    try:
        pid, version = split_arxiv_id(raw)
    except InvalidPaperId:
        raise BadRecord(f"id {raw[:80]!r} is not an arXiv id") from None
    summary = entry.get("summary") or ""
    announce = (entry.get("arxiv_announce_type") or "").strip().lower()
    if not announce:
        match = _ANNOUNCE.search(summary)
        announce = match.group(1).lower() if match else ""
    if announce not in NEW_TYPES | REPLACE_TYPES:
        raise BadRecord(f"{pid}: unknown announce type {announce[:40]!r}")
    title = entry.get("title") or ""
    if not title.strip():
        raise BadRecord(f"{pid}: no title")
    authors: list[str] = []
    for author in entry.get("authors", []):
        authors += _split_authors(author.get("name", ""))
    record = PaperRecord(
        id=pid, version=version, title=title, abstract=_ABSTRACT.sub("", summary, count=1),
        authors=authors, categories=[t.get("term") for t in entry.get("tags", []) if t.get("term")],
        published=day, source="arxiv",
    )
    return ListedPaper(pid, version, announce, record)


def parse_listing(content: bytes) -> Listing:
    parsed = parse_feed(content, "the arXiv listing")
    stamp = parsed.feed.get("published_parsed") or parsed.feed.get("updated_parsed")
    day = eastern_day(datetime(*stamp[:6], tzinfo=timezone.utc)) if stamp else None
    listing = Listing(day)
    seen: set[str] = set()
    for n, entry in enumerate(parsed.entries, start=1):
        try:
            paper = _listed(entry, day)
        except BadRecord as bad:
            listing.problems.append((f"listing entry {n}", bad))
            continue
        if paper.id not in seen:  # a paper listed in two requested categories appears twice
            seen.add(paper.id)
            listing.papers.append(paper)
    return listing
