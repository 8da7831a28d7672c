"""The TF-IDF paper index: fitted on the corpus, persisted, refreshed after ingestion."""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from sqlalchemy import func, select

from recommender.storage.db import Database
from recommender.storage.models import Paper
from recommender.ranking.text import paper_text

log = logging.getLogger(__name__)

FORMAT = 2
INDEX_FILE = "tfidf.joblib"
# Refit from scratch once this share of the corpus is new since the last fit.
REFIT_SHARE = 0.2


def make_vectorizer(n_docs: int) -> TfidfVectorizer:
    return TfidfVectorizer(
        ngram_range=(1, 2),
        min_df=2 if n_docs >= 50 else 1,
        max_df=0.5 if n_docs >= 50 else 1.0,
        max_features=200_000,
        sublinear_tf=True,
        stop_words="english",
        strip_accents="unicode",
        dtype=np.float32,
    )


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


@dataclass
class PaperIndex:
    """Row-normalised TF-IDF vectors of every paper, with ids and announcement dates."""

    vectorizer: TfidfVectorizer
    matrix: sp.csr_matrix
    ids: np.ndarray
    published: np.ndarray  # datetime64[D]; NaT when unknown
    fingerprint: tuple[int, str]
    fitted_docs: int
    fit_id: str = ""  # changes only when the vocabulary is refitted
    row: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.row = {pid: i for i, pid in enumerate(self.ids.tolist())}
        self.terms = self.vectorizer.get_feature_names_out()

    def __len__(self) -> int:
        return len(self.ids)

    def embed(self, texts: list[str]) -> sp.csr_matrix:
        return normalize(self.vectorizer.transform(texts)).astype(np.float32)

    def reference_rows(self, size: int = 2000, seed: int = 0) -> np.ndarray:
        """A fixed random sample of papers that profile scores are standardised on."""
        if len(self.ids) <= size:
            return np.arange(len(self.ids))
        return np.sort(np.random.default_rng(seed).choice(len(self.ids), size, replace=False))

    def rows_of(self, ids: list[str]) -> list[int]:
        return [self.row[i] for i in ids if i in self.row]

    def newest(self) -> date | None:
        valid = self.published[~np.isnat(self.published)]
        return valid.max().astype(date) if valid.size else None

    def window(self, days: int, newest: date | None = None) -> np.ndarray:
        """Row numbers of papers announced within `days` of the newest paper."""
        newest = newest or self.newest()
        if newest is None:
            return np.arange(len(self.ids))
        start = np.datetime64(newest) - np.timedelta64(days - 1, "D")
        mask = self.published >= start
        return np.flatnonzero(mask)


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


def _dates(values: list[date | None]) -> np.ndarray:
    return np.array([np.datetime64(d) if d else np.datetime64("NaT") for d in values], dtype="datetime64[D]")


def fit_index(db: Database) -> PaperIndex | None:
    fp = db_fingerprint(db)
    ids, texts, dates = _load_papers(db)
    if not ids:
        return None
    vectorizer = make_vectorizer(len(ids))
    matrix = normalize(vectorizer.fit_transform(texts)).astype(np.float32).tocsr()
    return PaperIndex(
        vectorizer, matrix, np.array(ids, dtype=object), _dates(dates), fp.as_tuple(), len(ids), uuid.uuid4().hex[:12]
    )


def update_index(db: Database, index: PaperIndex, since: datetime) -> PaperIndex:
    """Add or replace the vectors of papers modified after `since`, keeping the vocabulary.

    Row numbers are stable: a changed paper keeps its row and new papers are appended,
    so stored profile vectors (which name rows) stay valid until the next refit.
    """
    fp = db_fingerprint(db)
    ids, texts, dates = _load_papers(db, since)
    if not ids:
        return PaperIndex(
            index.vectorizer, index.matrix, index.ids, index.published, fp.as_tuple(), index.fitted_docs, index.fit_id
        )
    n = len(index.ids)
    take = np.arange(n)
    fresh_ids, fresh_dates, fresh_pos = [], [], []
    published = index.published.copy()
    for j, (pid, when) in enumerate(zip(ids, _dates(dates))):
        row = index.row.get(pid)
        if row is None:
            fresh_ids.append(pid)
            fresh_dates.append(when)
            fresh_pos.append(n + j)
        else:
            take[row] = n + j
            published[row] = when
    take = np.concatenate([take, np.array(fresh_pos, dtype=take.dtype)])
    matrix = sp.vstack([index.matrix, index.embed(texts)]).tocsr()[take]
    all_ids = np.concatenate([index.ids, np.array(fresh_ids, dtype=object)])
    published = np.concatenate([published, np.array(fresh_dates, dtype="datetime64[D]")])
    return PaperIndex(index.vectorizer, matrix, all_ids, published, fp.as_tuple(), index.fitted_docs, index.fit_id)


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
                tuple(data["fingerprint"]), data["fitted_docs"], data.get("fit_id", ""),
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
