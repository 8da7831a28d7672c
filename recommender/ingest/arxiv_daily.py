"""Today's new arXiv papers: the listing says which, the export API gives full metadata.

`new` and `cross` announcements are ingested (dated with the listing's
announcement day); `replace` announcements update papers we already store to
the new version. Papers the API does not return yet (it can lag the listing by
a few minutes) are stored from the listing itself, which carries title,
abstract, authors and categories.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

from recommender.ingest.arxiv_api import fetch_ids
from recommender.ingest.arxiv_listing import (
    NEW_TYPES,
    REPLACE_TYPES,
    ListedPaper,
    parse_listing,
    quiet_day_reason,
)
from recommender.ingest.errors import BadRecord
from recommender.ingest.http import PoliteClient
from recommender.ingest.runner import Item, RunNotes
from recommender.ingest.store import Entry, Sighting

SOURCE = "arxiv"
StoredVersions = Callable[[list[str]], dict[str, int | None]]


def listing_url(base: str, categories: list[str]) -> str:
    return f"{base.rstrip('/')}/{'+'.join(categories)}"


def select(listed: list[ListedPaper], stored: StoredVersions, cross_lists: bool) -> tuple[list[ListedPaper], list[ListedPaper], int]:
    """(new papers, replacements of stored papers to fetch, replacements ignored)."""
    wanted = {"new", "cross"} if cross_lists else {"new"}
    new = [p for p in listed if p.announce_type in wanted]
    replaced = [p for p in listed if p.announce_type in REPLACE_TYPES]
    versions = stored([p.id for p in replaced]) if replaced else {}
    updates = [
        p for p in replaced
        if p.id in versions and (p.version is None or versions[p.id] is None or p.version > (versions[p.id] or 0))
    ]
    return new, updates, len(replaced) - len(updates)


def daily_items(
    client: PoliteClient,
    rss_url: str,
    api_url: str,
    categories: list[str],
    stored: StoredVersions,
    today: date,
    notes: RunNotes,
    cross_lists: bool = True,
) -> Iterator[Item]:
    listing = client.get(listing_url(rss_url, categories), None, parse_listing)
    day = listing.day
    notes.window = (day, day)
    yield from listing.problems
    new, updates, ignored = select(listing.papers, stored, cross_lists)
    announced = [p for p in listing.papers if p.announce_type in NEW_TYPES]
    if day is None or day < today or not announced:
        notes.empty_reason = quiet_day_reason(today)
    notes.params = {
        "listing_day": day.isoformat() if day else None, "new": len(new),
        "replacements": len(updates), "replacements_ignored": ignored,
    }
    wanted = {p.id: p for p in [*new, *updates]}
    fresh = {p.id for p in new}
    found: set[str] = set()
    for where, item in fetch_ids(client, api_url, list(wanted), SOURCE):
        if isinstance(item, BadRecord):
            yield where, item
            continue
        if item.id not in wanted or item.id in found:
            continue
        found.add(item.id)
        if item.id in fresh:
            item.published = day  # the announcement day, like the rest of the corpus
        yield where, Entry(item, Sighting(SOURCE, item.id, listed_on=day) if item.id in fresh else None)
    missing = [pid for pid in wanted if pid not in found]
    if missing:
        notes.message = f"{len(missing)} papers were not in the export API yet; stored from the listing"
    for pid in missing:
        paper = wanted[pid]
        yield f"listing {pid}", Entry(paper.record, Sighting(SOURCE, pid, listed_on=day) if pid in fresh else None)
