"""Idempotent upsert of paper records: one row per paper, newer versions update in place."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from recommender.papers import PaperRecord, normalize_title
from recommender.storage.models import Paper, utcnow

BATCH = 2000
_CONTENT = ("version", "title", "abstract", "authors", "categories", "published", "updated", "doi", "links")


@dataclass
class UpsertResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    changed_ids: list[str] = field(default_factory=list)

    def add(self, other: UpsertResult) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.changed_ids.extend(other.changed_ids)


def _row(record: PaperRecord) -> dict[str, object]:
    return {
        "id": record.id,
        "version": record.version,
        "title": record.title,
        "title_key": normalize_title(record.title)[:300],
        "abstract": record.abstract,
        "authors": record.authors,
        "categories": record.categories,
        "primary_category": record.primary_category,
        "published": record.published,
        "updated": record.updated,
        "doi": record.doi,
        "source": record.source,
        "links": record.links,
    }


def _is_older(new: dict[str, object], old: Paper) -> bool:
    """True when the incoming record is an older version than the stored one."""
    nv, ov = new["version"], old.version
    if isinstance(nv, int) and isinstance(ov, int) and nv != ov:
        return nv < ov
    nu, ou = new["updated"], old.updated
    return nu is not None and ou is not None and nu < ou  # type: ignore[operator]


def _merge(new: dict[str, object], old: Paper) -> dict[str, object] | None:
    """The changed columns for `old`, or None when nothing changes.

    Empty incoming fields never erase stored ones: a source that lacks
    categories (Hugging Face) does not wipe those arXiv gave.
    """
    if _is_older(new, old):
        return None
    changes: dict[str, object] = {}
    for name in _CONTENT:
        value = new[name]
        if value in (None, "", [], {}):
            continue
        if name == "published" and old.published is not None:
            continue  # the first announcement date stays
        if value != getattr(old, name):
            changes[name] = value
    if not changes:
        return None
    if "title" in changes:
        changes["title_key"] = new["title_key"]
    if "categories" in changes:
        changes["primary_category"] = new["primary_category"]
    changes["id"] = old.id
    changes["modified_at"] = utcnow()
    return changes


def _newest_per_id(records: Iterable[PaperRecord]) -> dict[str, dict[str, object]]:
    rows: dict[str, dict[str, object]] = {}
    for record in records:
        row = _row(record)
        prev = rows.get(record.id)
        if prev is not None:
            pv, nv = prev["version"], row["version"]
            if isinstance(pv, int) and isinstance(nv, int) and nv < pv:
                continue
        rows[record.id] = row
    return rows


def upsert_batch(session: Session, records: Iterable[PaperRecord]) -> UpsertResult:
    rows = _newest_per_id(records)
    result = UpsertResult()
    if not rows:
        return result
    existing = {
        p.id: p for p in session.scalars(select(Paper).where(Paper.id.in_(list(rows))))
    }
    now = utcnow()
    inserts, updates = [], []
    for pid, row in rows.items():
        old = existing.get(pid)
        if old is None:
            inserts.append({**row, "ingested_at": now, "modified_at": now})
            continue
        changes = _merge(row, old)
        if changes is None:
            result.unchanged += 1
        else:
            updates.append(changes)
    if inserts:
        session.execute(insert(Paper), inserts)
    for changes in updates:
        session.execute(update(Paper).where(Paper.id == changes["id"]).values(**changes))
    result.new = len(inserts)
    result.updated = len(updates)
    result.changed_ids = [r["id"] for r in inserts] + [str(c["id"]) for c in updates]
    return result


def batched(items: Iterable[PaperRecord], size: int = BATCH) -> Iterator[list[PaperRecord]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk
