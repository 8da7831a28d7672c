"""The paper index on disk and in memory: built from the papers in the database,
refreshed after ingestion (updated in place, refitted once enough is new), reloaded
when another process rewrote it."""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import joblib
from sqlalchemy import func, select

from recommender.ranking import index as paper_index
from recommender.ranking.index import PaperIndex
from recommender.ranking.text import paper_text
from recommender.storage.db import Database
from recommender.storage.models import Paper

log = logging.getLogger(__name__)

FORMAT = 3  # 3: the acronyms read at the fit
INDEX_FILE = "tfidf.joblib"
# Refit from scratch once this share of the corpus is new since the last fit.
REFIT_SHARE = 0.2


@dataclass
class Fingerprint:
    count: int
    last_modified: datetime | None

    def as_tuple(self) -> tuple[int, str]:
        return self.count, self.last_modified.isoformat() if self.last_modified else ""


def db_fingerprint(db: Database) -> Fingerprint:
    with db.session() as s:
        count, last = s.execute(select(func.count(Paper.id), func.max(Paper.modified_at))).one()
    return Fingerprint(int(count), last)


def _load_papers(db: Database, since: datetime | None = None) -> tuple[list[str], list[str], list[date | None]]:
    query = select(Paper.id, Paper.title, Paper.abstract, Paper.published).order_by(Paper.id)
    if since is not None:
        query = query.where(Paper.modified_at > since)
    ids, texts, dates = [], [], []
    with db.session() as s:
        for pid, title, abstract, published in s.execute(query):
            ids.append(pid)
            texts.append(paper_text(title, abstract))
            dates.append(published)
    return ids, texts, dates


def fit_index(db: Database) -> PaperIndex | None:
    fp = db_fingerprint(db)
    ids, texts, dates = _load_papers(db)
    if not ids:
        return None
    try:
        return paper_index.fit(ids, texts, dates, fp.as_tuple())
    except ValueError as exc:  # sklearn: "empty vocabulary" (every word a stop word); no index until real text arrives
        if "empty vocabulary" not in str(exc):
            raise
        log.warning("The library's %d papers have no indexable words yet (only stop words): no index until more arrive",
                    len(ids))
        return None


def update_index(db: Database, index: PaperIndex, since: datetime) -> PaperIndex:
    """Add or replace the vectors of papers modified after `since` (see `ranking.index.extend`)."""
    fp = db_fingerprint(db)
    ids, texts, dates = _load_papers(db, since)
    return paper_index.extend(index, ids, texts, dates, fp.as_tuple())


class IndexStore:
    """Holds the current index in memory and on disk; thread-safe refresh."""

    def __init__(self, db: Database, directory: Path) -> None:
        self.db = db
        self.path = directory / INDEX_FILE
        self._index: PaperIndex | None = None
        self._loaded_mtime: float | None = None
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        """Papers in the index held in memory (0 before the first load)."""
        return len(self._index) if self._index is not None else 0

    def save(self, index: PaperIndex) -> None:
        """Keep this index (in memory and on disk), e.g. one built elsewhere for the same papers."""
        with self._lock:
            self._save(index)
            self._index = index

    def _save(self, index: PaperIndex) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".tmp{os.getpid()}")
        payload = {
            "format": FORMAT,
            "vectorizer": index.vectorizer,
            "matrix": index.matrix,
            "ids": index.ids,
            "published": index.published,
            "fingerprint": index.fingerprint,
            "fitted_docs": index.fitted_docs,
            "fit_id": index.fit_id,
            "acronyms": index.acronyms,
        }
        joblib.dump(payload, tmp, compress=0)
        os.replace(tmp, self.path)
        self._loaded_mtime = self.path.stat().st_mtime

    def _load(self) -> PaperIndex | None:
        if not self.path.exists():
            return None
        try:
            data = joblib.load(self.path)
            if data.get("format") != FORMAT:
                return None
            index = PaperIndex(
                data["vectorizer"], data["matrix"], data["ids"], data["published"],
                tuple(data["fingerprint"]), data["fitted_docs"], data.get("fit_id", ""), acronyms=data["acronyms"],
            )
        except Exception as exc:  # a corrupt or foreign file is rebuilt, not fatal
            log.warning("ignoring unreadable index file %s: %s", self.path, exc)
            return None
        self._loaded_mtime = self.path.stat().st_mtime
        return index

    def get(self) -> PaperIndex | None:
        """The current index, reloaded if another process rewrote it, rebuilt if stale."""
        with self._lock:
            if self._index is None or self._file_changed():
                self._index = self._load() or self._index
            if self._index is None or self._index.fingerprint != db_fingerprint(self.db).as_tuple():
                self._index = self._refresh_locked()
            return self._index

    def refresh(self, full: bool = False) -> PaperIndex | None:
        with self._lock:
            if self._index is None:
                self._index = self._load()
            self._index = self._refresh_locked(full)
            return self._index

    def _file_changed(self) -> bool:
        try:
            return self.path.stat().st_mtime != self._loaded_mtime
        except FileNotFoundError:
            return False

    def _refresh_locked(self, full: bool = False) -> PaperIndex | None:
        current = self._index
        fp = db_fingerprint(self.db)
        if current is not None and not full and current.fingerprint == fp.as_tuple():
            return current
        started = time.perf_counter()
        if current is None or full or fp.count == 0:
            index, how = fit_index(self.db), "fitted"
        else:
            since = datetime.fromisoformat(current.fingerprint[1]) if current.fingerprint[1] else datetime.min
            index, how = update_index(self.db, current, since), "updated"
            if len(index) - index.fitted_docs > REFIT_SHARE * index.fitted_docs:
                index, how = fit_index(self.db), "refitted"
        if index is not None:
            self._save(index)
            log.info("index %s: %d papers, %d terms in %.1fs", how, len(index), len(index.terms), time.perf_counter() - started)
        return index
