"""Keeps the scoring context current: the index, the community model and co-likes."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sqlalchemy import func, select

from recommender.ranking.community import CoLikes, CommunityModel, fit_community
from recommender.ranking.context import ScoringContext
from recommender.ranking.index import PaperIndex
from recommender.ranking.profile import PROFILE_FORMAT
from recommender.storage.db import Database
from recommender.storage.models import Feedback
from recommender.stores.index import IndexStore

log = logging.getLogger(__name__)

LIKE_KINDS = ("like", "save")
# Refit on the request path only while it is cheap; bigger refits wait for `refresh()`.
CHEAP_REFIT_PAPERS = 3000
REFIT_AFTER_SECONDS = 24 * 3600


Key = tuple[str, tuple[int, str], tuple[int, int, str]]  # index fit id, index fingerprint, likes signature


def key_id(key: object) -> str:
    """A short, stable name for a state (of the index and the likes): the same in every process."""
    return hashlib.sha1(repr(key).encode()).hexdigest()[:12]


@dataclass
class _Fitted:
    key: Key  # the state last seen
    model: CommunityModel | None
    model_id: str  # key_id of the key the model was fitted on, or "none"
    colikes: CoLikes | None
    fitted_at: float
    built: Key | None = None  # what the co-likes were built from (default: `key`)
    liked_papers: int = 0

    def __post_init__(self) -> None:
        self.built = self.built or self.key

    @property
    def version(self) -> str:
        """Names exactly what member vectors built against this state depend on: the index,
        the co-likes and the model, not likes given since (see `CommunityStore._current`), and
        the layout of the vectors themselves (`PROFILE_FORMAT`)."""
        return f"{key_id(self.built)}:{self.model_id}:{PROFILE_FORMAT}"


def likes_matrix(db: Database, index: PaperIndex) -> tuple[sp.csr_matrix, int]:
    """Papers x members matrix of likes and saves (1 = liked), and the number of members.

    Members are columns in user id order, so every process builds the same matrix
    (and the same model) from the same likes.
    """
    with db.session() as s:
        pairs = s.execute(
            select(Feedback.paper_id, Feedback.user_id)
            .where(Feedback.kind.in_(LIKE_KINDS))
            .order_by(Feedback.user_id, Feedback.paper_id)
        ).all()
    rows = index.row.rows([p for p, _ in pairs])  # all at once: a million likes at 100,000 members
    known = rows >= 0
    users = np.fromiter((u for _, u in pairs), dtype=np.int64, count=len(pairs))[known]
    # Columns number the members with a known liked paper in user id order (the pairs are sorted by it).
    distinct, cols = np.unique(users, return_inverse=True)
    shape = (len(index), max(distinct.size, 1))
    matrix = sp.csr_matrix((np.ones(cols.size, dtype=np.float32), (rows[known], cols)), shape=shape)
    matrix.data[:] = 1.0  # a like and a save of one paper count once
    return matrix, int(distinct.size)


def likes_signature(db: Database) -> tuple[int, int, str]:
    """(likes, newest like id, newest like time): changes whenever a like or save is
    added or removed (the time too, since SQLite reuses the id of a deleted newest row)."""
    with db.session() as s:
        count, newest, when = s.execute(
            select(func.count(Feedback.id), func.max(Feedback.id), func.max(Feedback.created_at))
            .where(Feedback.kind.in_(LIKE_KINDS))
        ).one()
    return int(count or 0), int(newest or 0), str(when or "")


class CommunityStore:
    def __init__(self, db: Database, index_store: IndexStore) -> None:
        self.db = db
        self.index_store = index_store
        self._fitted: _Fitted | None = None
        self._background: threading.Thread | None = None
        self._lock = threading.Lock()

    def context(self, index: PaperIndex | None = None) -> ScoringContext | None:
        """The scoring context for the current index, refitting the community model if due."""
        index = index or self.index_store.get()
        if index is None:
            return None
        with self._lock:
            fitted = self._current(index, force=False)
        return ScoringContext(
            index, fitted.model, fitted.colikes, reference_rows=index.reference_rows(), version=fitted.version
        )

    def refresh(self) -> CommunityModel | None:
        """Refit now (the scheduled job after ingestion calls this)."""
        index = self.index_store.get()
        if index is None:
            return None
        with self._lock:
            return self._current(index, force=True).model

    @property
    def model_id(self) -> str:
        return self._fitted.model_id if self._fitted else "none"

    @property
    def version(self) -> str:
        """The version of the last context handed out (see `_Fitted.version`)."""
        return self._fitted.version if self._fitted else "none"

    def _current(self, index: PaperIndex, force: bool) -> _Fitted:
        fitted = self._fitted
        if (
            fitted is not None
            and not force
            and fitted.built[:2] == (index.fit_id, index.fingerprint)  # type: ignore[index]
            and fitted.liked_papers > CHEAP_REFIT_PAPERS
            and time.monotonic() - fitted.fitted_at < REFIT_AFTER_SECONDS
        ):
            # A big community's model is refitted daily; its co-likes are kept until then too, so
            # one member's like rebuilds that member's vectors (the feedback path does), not everyone's.
            # Nothing here depends on the likes given since: their signature is not even read
            # (counting a million likes takes 40-170 ms per request).
            return fitted
        key = (index.fit_id, index.fingerprint, likes_signature(self.db))
        if fitted is not None and fitted.key == key and not force:
            return fitted
        likes, members = likes_matrix(self.db, index)
        liked_papers = int((likes.getnnz(axis=1) > 0).sum())
        colikes = CoLikes.from_likes(likes) if members else None
        # The model depends on the vocabulary and the likes, not on newly ingested papers;
        # with many likes it is refitted at most daily (or by `refresh()`).
        reuse = (
            fitted is not None
            and not force
            and fitted.key[0] == index.fit_id
            and (
                fitted.key[2] == key[2]
                or (liked_papers > CHEAP_REFIT_PAPERS and time.monotonic() - fitted.fitted_at < REFIT_AFTER_SECONDS)
            )
        )
        if reuse:
            model, model_id, when = fitted.model, fitted.model_id, fitted.fitted_at  # type: ignore[union-attr]
        elif liked_papers > CHEAP_REFIT_PAPERS and not force:
            # A big fit takes minutes: run it in the background and serve the previous model meanwhile.
            self._fit_in_background(index, likes, key, colikes)
            same_vocabulary = fitted is not None and fitted.key[0] == index.fit_id
            model, model_id = (fitted.model, fitted.model_id) if same_vocabulary else (None, "none")  # type: ignore[union-attr]
            when = fitted.fitted_at if same_vocabulary else time.monotonic()  # type: ignore[union-attr]
        else:
            model = fit_community(index.matrix, likes) if members else None
            model_id, when = (key_id(key) if model else "none"), time.monotonic()
        self._fitted = _Fitted(key, model, model_id, colikes, when, key, liked_papers)
        return self._fitted

    def _fit_in_background(self, index: PaperIndex, likes: sp.csr_matrix, key: Key, colikes: CoLikes | None) -> None:
        if self._background is not None and self._background.is_alive():
            return
        liked_papers = int((likes.getnnz(axis=1) > 0).sum())

        def work() -> None:
            model = fit_community(index.matrix, likes)
            with self._lock:
                self._fitted = _Fitted(key, model, key_id(key) if model else "none", colikes, time.monotonic(), key, liked_papers)

        self._background = threading.Thread(target=work, name="community-fit", daemon=True)
        self._background.start()
