"""Idempotent upsert: one row per paper across sources and versions.

Dedupe keys, in order: the arXiv id without version; the DOI; the normalised
title (the last resort, and never between two different arXiv ids). A newer
version updates the row in place; an older one changes nothing. A record with
an arXiv id that matches a row stored under a provisional id (``doi:``/``title:``
from a BibTeX or CSV import) takes that row over, and everything pointing at it
(feedback, reading lists, sources) follows. Secondary sources (Hugging Face) and
records without an arXiv id only fill empty fields of a paper that has one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import Any

from sqlalchemy import delete, insert, select, tuple_, update
from sqlalchemy.orm import Session

from recommender.ingest.identity import matchable_title, title_key
from recommender.papers import PaperRecord, is_arxiv_id
from recommender.storage.models import Base, Paper, PaperSource, utcnow

BATCH = 2000
SECONDARY = frozenset({"hf"})
_CONTENT = ("version", "title", "abstract", "authors", "categories", "published", "updated", "doi", "links")
_COLUMNS = (Paper.id, Paper.title_key, Paper.primary_category, Paper.source, *(getattr(Paper, c) for c in _CONTENT))
_EMPTY: tuple[Any, ...] = (None, "", [], {})


@dataclass(slots=True)
class Sighting:
    """A paper seen by a source: its id there, when it was listed, its upvotes."""

    source: str
    external_id: str
    listed_on: date | None = None
    upvotes: int | None = None


@dataclass(slots=True)
class Entry:
    record: PaperRecord
    sighting: Sighting | None = None


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


def _row(record: PaperRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "version": record.version,
        "title": record.title,
        "title_key": title_key(record.title),
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


def _is_older(new: dict[str, Any], old: dict[str, Any]) -> bool:
    """True when the incoming record is an older version than the stored one."""
    nv, ov = new["version"], old["version"]
    if isinstance(nv, int) and isinstance(ov, int) and nv != ov:
        return nv < ov
    nu, ou = new["updated"], old["updated"]
    return nu is not None and ou is not None and nu < ou


def _merge(new: dict[str, Any], old: dict[str, Any], fill_only: bool = False) -> dict[str, Any] | None:
    """The changed columns for `old`, or None when nothing changes.

    Empty incoming fields never erase stored ones, the first announcement date
    stays, and `fill_only` sources only fill fields that are still empty.
    """
    if not fill_only and _is_older(new, old):
        return None
    changes: dict[str, Any] = {}
    for name in _CONTENT:
        value = new[name]
        if value in _EMPTY:
            continue
        current = old[name]
        if fill_only:
            if current in _EMPTY:
                changes[name] = value
            continue
        if name == "published" and current is not None:
            continue
        if value != current:
            changes[name] = value
    if not changes:
        return None
    if "title" in changes:
        changes["title_key"] = new["title_key"]
    if "categories" in changes:
        changes["primary_category"] = new["primary_category"]
    return changes


def _paper_children() -> list[Any]:
    """Every column that references papers.id (feedback, reading list, sources, ...)."""
    papers = Paper.__table__
    return [fk.parent for table in Base.metadata.sorted_tables for fk in table.foreign_keys if fk.column.table is papers]


class _Batch:
    """Resolves one batch of records against the database and writes the result."""

    def __init__(self, session: Session, rows: dict[str, dict[str, Any]]) -> None:
        self.session = session
        self.rows = rows
        self.known: dict[str, dict[str, Any]] = {}  # stored rows (and pending inserts) by id
        self.by_doi: dict[str, list[str]] = {}
        self.by_title: dict[str, list[str]] = {}
        self.inserts: dict[str, dict[str, Any]] = {}
        self.updates: dict[str, dict[str, Any]] = {}
        self.takeovers: list[tuple[str, dict[str, Any]]] = []
        self.alias: dict[str, str] = {}
        self.unchanged = 0

    def _load(self, where: Any) -> None:
        for r in self.session.execute(select(*_COLUMNS).where(where)):
            row = dict(r._mapping)
            if row["id"] not in self.known:
                self.known[row["id"]] = row
                self._index(row)

    def _index(self, row: dict[str, Any]) -> None:
        if row["doi"]:
            self.by_doi.setdefault(row["doi"], []).append(row["id"])
        if matchable_title(row["title_key"]):
            self.by_title.setdefault(row["title_key"], []).append(row["id"])

    def load(self) -> None:
        self._load(Paper.id.in_(list(self.rows)))
        missing = [r for pid, r in self.rows.items() if pid not in self.known]
        dois = {r["doi"] for r in missing if r["doi"]}
        keys = {r["title_key"] for r in missing if matchable_title(r["title_key"])}
        if dois:
            self._load(Paper.doi.in_(sorted(dois)))
        if keys:
            self._load(Paper.title_key.in_(sorted(keys)))

    def _match(self, pid: str, row: dict[str, Any]) -> str | None:
        arxiv = is_arxiv_id(pid)
        candidates = self.by_doi.get(row["doi"], []) if row["doi"] else []
        if matchable_title(row["title_key"]):
            candidates = candidates + self.by_title.get(row["title_key"], [])
        for cid in candidates:
            cid = self.alias.get(cid, cid)  # a row taken over now lives under its arXiv id
            if cid != pid and not (arxiv and is_arxiv_id(cid)):
                return cid
        return None

    def resolve(self) -> None:
        for pid, row in self.rows.items():
            target = pid if pid in self.known else self._match(pid, row)
            if target is None:
                self.inserts[pid] = row
                self.known[pid] = row
                self._index(row)
                self.alias[pid] = pid
                continue
            old = self.known[target]
            if is_arxiv_id(pid) and not is_arxiv_id(target) and target not in self.inserts:
                self._take_over(target, pid, row, old)
                continue
            fill_only = row["source"] in SECONDARY or (not is_arxiv_id(pid) and is_arxiv_id(target))
            changes = _merge(row, old, fill_only)
            self.alias[pid] = target
            if changes is None:
                self.unchanged += 1
                continue
            old.update(changes)
            if target not in self.inserts:
                self.updates.setdefault(target, {}).update(changes)

    def _take_over(self, old_id: str, new_id: str, row: dict[str, Any], old: dict[str, Any]) -> None:
        merged = dict(old)
        merged.update(_merge(row, old) or {})
        merged.update(id=new_id, source=row["source"])
        self.takeovers.append((old_id, merged))
        self.known[new_id] = merged
        self.alias[new_id] = new_id
        self.alias[old_id] = new_id

    def write(self, now: Any) -> UpsertResult:
        s = self.session
        if self.inserts:
            s.execute(insert(Paper), [{**r, "ingested_at": now, "modified_at": now} for r in self.inserts.values()])
        for pid, changes in self.updates.items():
            s.execute(update(Paper).where(Paper.id == pid).values(**changes, modified_at=now))
        for old_id, merged in self.takeovers:
            s.execute(insert(Paper), [{**merged, "ingested_at": now, "modified_at": now}])
            for column in _paper_children():
                s.execute(update(column.table).where(column == old_id).values({column.name: merged["id"]}))
            s.execute(delete(Paper).where(Paper.id == old_id))
        changed = list(self.inserts) + list(self.updates) + [m["id"] for _, m in self.takeovers]
        return UpsertResult(
            new=len(self.inserts), updated=len(self.updates) + len(self.takeovers),
            unchanged=self.unchanged, changed_ids=changed,
        )


def _newest_per_id(entries: list[Entry]) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for entry in entries:
        row = _row(entry.record)
        prev = rows.get(row["id"])
        if prev is not None:
            pv, nv = prev["version"], row["version"]
            if isinstance(pv, int) and isinstance(nv, int) and nv < pv:
                continue
            if row["source"] in SECONDARY and prev["source"] not in SECONDARY:
                continue
        rows[row["id"]] = row
    return rows


def _record_sightings(session: Session, seen: list[tuple[str, Sighting]], now: Any) -> None:
    latest: dict[tuple[str, str], tuple[str, Sighting]] = {}
    for paper_id, sighting in seen:
        latest[(sighting.source, sighting.external_id)] = (paper_id, sighting)
    stored = {
        (ps.source, ps.external_id): ps
        for ps in session.scalars(
            select(PaperSource).where(tuple_(PaperSource.source, PaperSource.external_id).in_(list(latest)))
        )
    }
    for key, (paper_id, sighting) in latest.items():
        row = stored.get(key)
        if row is None:
            session.add(PaperSource(
                paper_id=paper_id, source=sighting.source, external_id=sighting.external_id,
                upvotes=sighting.upvotes, listed_on=sighting.listed_on, first_seen=now, last_seen=now,
            ))
            continue
        row.paper_id, row.last_seen = paper_id, now
        if sighting.upvotes is not None:
            row.upvotes = sighting.upvotes
        if sighting.listed_on and (row.listed_on is None or sighting.listed_on > row.listed_on):
            row.listed_on = sighting.listed_on
    session.flush()


def upsert_batch(session: Session, items: Iterable[PaperRecord | Entry]) -> UpsertResult:
    entries = [item if isinstance(item, Entry) else Entry(item) for item in items]
    rows = _newest_per_id(entries)
    if not rows:
        return UpsertResult()
    batch = _Batch(session, rows)
    batch.load()
    batch.resolve()
    now = utcnow()
    result = batch.write(now)
    seen = [(batch.alias.get(e.record.id, e.record.id), e.sighting) for e in entries if e.sighting]
    if seen:
        _record_sightings(session, seen, now)
    return result


def batched(items: Iterable[PaperRecord], size: int = BATCH) -> Iterator[list[PaperRecord]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk
