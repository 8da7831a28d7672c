"""The paper index on disk and in memory: built from the papers in the database,
refreshed after ingestion (updated in place, refitted once enough is new), reloaded
when another process rewrote it.

On disk (the index directory): `index.json` names the current files; the vectorizer and
acronyms of a fit in `vocabulary-<fit id>.pickle` (written once per fit, not per day);
the rows as plain `.npy` arrays of one generation, `rows-<generation>.<name>.npy`
(matrix data/indices/indptr, ids, dates, the rows sorted by id), read memory-mapped:
pages are read from the file when touched, and are the kernel's to drop again.
A new generation is written beside the old one and `index.json` replaced atomically;
the generation it replaced is then removed (a process that still maps it keeps it).
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import threading
import time
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import func, select

from recommender.ranking import index as paper_index
from recommender.ranking.index import PaperIndex
from recommender.ranking.text import paper_text
from recommender.storage.db import Database
from recommender.storage.models import Paper

log = logging.getLogger(__name__)

FORMAT = 4  # 3: the acronyms read at the fit; 4: a manifest, a vocabulary pickle and .npy arrays
INDEX_FILE = "index.json"
LEGACY_FILES = ("tfidf.joblib",)  # format 3 and before: one joblib pickle, rebuilt once
ARRAYS = ("data", "indices", "indptr", "ids", "published", "order", "cdata", "cindices", "cindptr")
ORPHAN_SECONDS = 3600  # another process's unreferenced generation is removed after this long
# Refit from scratch once this share of the corpus is new since the last fit.
REFIT_SHARE = 0.2
# A request compares the newest modification time with the index's (an index seek); the paper
# count (14 ms at a million papers on SQLite, more under load) at most this often: only a
# deletion by hand changes the count and not the newest time (ingestion's take-overs insert too).
COUNT_EVERY_SECONDS = 10.0


@dataclass
class Fingerprint:
    count: int
    last_modified: datetime | None

    def as_tuple(self) -> tuple[int, str]:
        return self.count, self.last_modified.isoformat() if self.last_modified else ""


def db_fingerprint(db: Database) -> Fingerprint:
    # Two queries: each reads an index (SQLite: 14 ms at a million papers); the two
    # aggregates in one query read the whole table (650 ms).
    with db.session() as s:
        count = s.scalar(select(func.count()).select_from(Paper))
        last = s.scalar(select(func.max(Paper.modified_at)))
    return Fingerprint(int(count or 0), last)


def newest_modified(db: Database) -> str:
    """The newest modification time as the fingerprint writes it (an index seek)."""
    with db.session() as s:
        last = s.scalar(select(func.max(Paper.modified_at)))
    return last.isoformat() if last else ""


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

    def __init__(self, db: Database, directory: Path, mmap: bool = True) -> None:
        self.db = db
        self.directory = directory
        self.path = directory / INDEX_FILE
        self.mmap = mmap
        self._index: PaperIndex | None = None
        self._loaded_stamp: tuple[int, int] | None = None
        self._counted_at = -COUNT_EVERY_SECONDS  # monotonic time of the last full fingerprint check
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        """Papers in the index held in memory (0 before the first load)."""
        return len(self._index) if self._index is not None else 0

    def save(self, index: PaperIndex) -> None:
        """Keep this index (in memory and on disk), e.g. one built elsewhere for the same papers."""
        with self._lock:
            self._index = self._save(index)

    def _stamp(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_mtime_ns

    def _manifest(self) -> dict | None:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None

    def _vocabulary_path(self, fit_id: str) -> Path:
        return self.directory / f"vocabulary-{fit_id}.pickle"

    def _array_path(self, generation: str, name: str) -> Path:
        return self.directory / f"rows-{generation}.{name}.npy"

    def _save(self, index: PaperIndex) -> PaperIndex:
        """Write the index as a new generation; returns it as read back (memory-mapped)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        fit_id = index.fit_id or "none"
        vocabulary = self._vocabulary_path(fit_id)
        if not vocabulary.exists():  # one per fit: a day's update does not rewrite 200,000 terms
            tmp = vocabulary.with_suffix(f".tmp{os.getpid()}")
            with tmp.open("wb") as f:
                pickle.dump({"vectorizer": index.vectorizer, "acronyms": index.acronyms}, f, protocol=5)
            os.replace(tmp, vocabulary)
        matrix = paper_index.compact(index.matrix)
        order = index.row.order
        columns = index.columns if index.columns is not None and matrix is index.matrix else matrix.tocsc()
        generation = uuid.uuid4().hex[:12]
        arrays = {"data": matrix.data, "indices": matrix.indices, "indptr": matrix.indptr, "ids": index.ids,
                  "published": index.published, "order": order,
                  "cdata": columns.data, "cindices": columns.indices, "cindptr": columns.indptr}
        for name, values in arrays.items():
            np.save(self._array_path(generation, name), np.ascontiguousarray(values), allow_pickle=False)
        previous = self._manifest_or_none()
        manifest = {
            "format": FORMAT, "generation": generation, "fit_id": fit_id, "fingerprint": list(index.fingerprint),
            "fitted_docs": index.fitted_docs, "papers": len(index), "terms": int(matrix.shape[1]),
        }
        tmp = self.path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(manifest), encoding="utf-8")
        os.replace(tmp, self.path)
        self._loaded_stamp = self._stamp()
        self._clean(manifest, previous)
        saved = self._read(manifest) if self.mmap else None
        if saved is None:  # in memory as given
            saved = replace(index, matrix=matrix, fingerprint=tuple(index.fingerprint), order=order,  # type: ignore[arg-type]
                            columns=columns)
        return saved

    def _manifest_or_none(self) -> dict | None:
        try:
            return self._manifest()
        except (OSError, ValueError):
            return None

    def _clean(self, current: dict, previous: dict | None) -> None:
        """Remove the generation `current` replaced, older orphans, and unused vocabularies."""
        keep_rows = f"rows-{current['generation']}."
        keep_vocabulary = self._vocabulary_path(current["fit_id"]).name
        now = time.time()
        for path in self.directory.iterdir():
            name = path.name
            stale = False
            if name.startswith("rows-") and not name.startswith(keep_rows):
                mine = previous is not None and name.startswith(f"rows-{previous.get('generation')}.")
                stale = mine or now - path.stat().st_mtime > ORPHAN_SECONDS
            elif name.startswith("vocabulary-") and name != keep_vocabulary:
                stale = previous is not None and name == self._vocabulary_path(str(previous.get("fit_id"))).name \
                    or now - path.stat().st_mtime > ORPHAN_SECONDS
            elif name in LEGACY_FILES:
                stale = True
            if stale:
                try:
                    path.unlink(missing_ok=True)
                except OSError as exc:  # e.g. still mapped on a system that refuses: removed next time
                    log.debug("could not remove %s yet: %s", path, exc)

    def _read(self, manifest: dict) -> PaperIndex | None:
        if manifest.get("format") != FORMAT:
            return None
        with self._vocabulary_path(manifest["fit_id"]).open("rb") as f:
            vocabulary = pickle.load(f)
        mode = "r" if self.mmap else None
        arrays = {name: np.load(self._array_path(manifest["generation"], name), mmap_mode=mode, allow_pickle=False)
                  for name in ARRAYS}
        vectorizer = vocabulary["vectorizer"]
        shape = (len(arrays["ids"]), len(vectorizer.vocabulary_))
        matrix = paper_index.mapped_csr(arrays["data"], arrays["indices"], arrays["indptr"], shape)
        columns = paper_index.mapped_csc(arrays["cdata"], arrays["cindices"], arrays["cindptr"], shape)
        return PaperIndex(
            vectorizer, matrix, np.asarray(arrays["ids"]), np.asarray(arrays["published"]),
            tuple(manifest["fingerprint"]), manifest["fitted_docs"],  # type: ignore[arg-type]
            "" if manifest["fit_id"] == "none" else manifest["fit_id"], acronyms=vocabulary["acronyms"],
            order=np.asarray(arrays["order"]), columns=columns,
        )

    def _load(self) -> PaperIndex | None:
        for attempt in range(2):  # a second time if another process replaced the files meanwhile
            stamp = self._stamp()
            if stamp is None:
                return None
            try:
                manifest = self._manifest()
                index = self._read(manifest) if isinstance(manifest, dict) else None
            except FileNotFoundError:
                if attempt == 0:
                    continue
                index = None
            except Exception as exc:  # a corrupt or foreign file is rebuilt, not fatal
                log.warning("ignoring unreadable index file %s: %s", self.path, exc)
                return None
            self._loaded_stamp = stamp
            return index
        return None

    def stored(self) -> PaperIndex | None:
        """The index on disk as it is (None if missing, unreadable or of an older format), without
        comparing it with the database or rebuilding it."""
        with self._lock:
            index = self._load()
            if index is not None:
                self._index = index
            return index

    def get(self) -> PaperIndex | None:
        """The current index, reloaded if another process rewrote it, rebuilt if stale."""
        with self._lock:
            if self._index is None or self._file_changed():
                self._index = self._load() or self._index
                self._counted_at = -COUNT_EVERY_SECONDS
            if self._stale():
                self._index = self._refresh_locked()
            return self._index

    def _stale(self) -> bool:
        """Whether the database has papers the index does not (see `COUNT_EVERY_SECONDS`)."""
        index = self._index
        if index is None or newest_modified(self.db) != index.fingerprint[1]:
            return True
        now = time.monotonic()
        if now - self._counted_at < COUNT_EVERY_SECONDS:
            return False
        self._counted_at = now
        return index.fingerprint != db_fingerprint(self.db).as_tuple()

    def refresh(self, full: bool = False) -> PaperIndex | None:
        with self._lock:
            if self._index is None:
                self._index = self._load()
            self._index = self._refresh_locked(full)
            return self._index

    def _file_changed(self) -> bool:
        stamp = self._stamp()
        return stamp is not None and stamp != self._loaded_stamp

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
            index = self._save(index)
            log.info("index %s: %d papers, %d terms in %.1fs", how, len(index), len(index.terms), time.perf_counter() - started)
        return index
