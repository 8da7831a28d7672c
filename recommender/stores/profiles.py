"""Stored per-member profile vectors: rebuilt when feedback arrives, read by /recommend, /why
and the other one-member calls, and by a DM digest for the members whose vectors changed
since the stored population was built (stores/populations.py holds the digest's matrices).

The memory cache holds the most recently used members only (`CACHE_SIZE`); a digest's
reads do not fill it (`remember=False`), so a digest of 100,000 members leaves no 100,000
objects behind."""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.members.inputs import user_inputs, users_inputs
from recommender.ranking.context import ScoringContext
from recommender.ranking.population import KnownTopics, build_population
from recommender.ranking.profile import ProfileVectors, build_vectors
from recommender.storage.db import Database
from recommender.storage.models import ProfileVector, User, utcnow
from recommender.storage.upsert import insert_or_update
from recommender.stores.codec import dumps, loads

CACHE_SIZE = 10_000  # members' vectors kept in memory, the most recently used
BATCHED_FROM = 50  # this many members to rebuild at once (e.g. after the daily refit): batched products
BATCH = 5000  # ... this many at a time


class ProfileStore:
    """Profile vectors per member, in the database and in a memory cache.

    Each is stored with the `ScoringContext.version` it was built against (index
    rows and vocabulary, community model, co-likes, embeddings); a vector of
    another version is rebuilt on first use, so no reader meets a stale one.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._cache: OrderedDict[int, tuple[str, ProfileVectors]] = OrderedDict()
        self._lock = threading.Lock()

    def rebuild(self, session: Session, ctx: ScoringContext, user_id: int, remember: bool = True) -> ProfileVectors:
        vec = build_vectors(ctx, user_inputs(session, user_id))
        self._store(session, ctx.version, user_id, vec, remember)
        return vec

    def rebuild_many(
        self, session: Session, ctx: ScoringContext, user_ids: list[int], remember: bool = True,
    ) -> dict[int, ProfileVectors]:
        """Many members' vectors in batched products (`build_population`: what the day's first
        digest after the community refit needs for every member), stored as `rebuild` does."""
        if ctx.semantic is not None:  # the semantic extra is built member by member
            return {uid: self.rebuild(session, ctx, uid, remember) for uid in user_ids}
        out: dict[int, ProfileVectors] = {}
        known = KnownTopics(ctx.version)  # a topic followed in many batches is expanded once
        for a in range(0, len(user_ids), BATCH):
            ids = user_ids[a : a + BATCH]
            inputs = users_inputs(session, ids)
            pop = build_population(ctx, [inputs[uid] for uid in ids], known=known)
            for i, uid in enumerate(ids):
                out[uid] = pop.vectors(ctx, i)
                self._store(session, ctx.version, uid, out[uid], remember)
        return out

    def _store(self, session: Session, version: str, user_id: int, vec: ProfileVectors, remember: bool = True) -> None:
        blob = dumps(vec)
        session.flush()
        if session.get(User, user_id) is not None:  # an upsert: two rebuilds at once never collide
            insert_or_update(session, ProfileVector, ["user_id"], ["version", "data", "updated_at"],
                             user_id=user_id, version=version, data=blob, updated_at=utcnow())
        if remember:
            self._remember(user_id, version, vec)

    def get(self, session: Session, ctx: ScoringContext, user_id: int) -> ProfileVectors:
        return self.get_many(session, ctx, [user_id])[user_id]

    def get_many(
        self, session: Session, ctx: ScoringContext, user_ids: list[int], remember: bool = True,
    ) -> dict[int, ProfileVectors]:
        """These members' vectors of `ctx.version`: from memory, the database, or rebuilt. With
        `remember` False (a digest's many members), what is read is not kept in memory."""
        version = ctx.version
        out: dict[int, ProfileVectors] = {}
        missing = []
        with self._lock:
            for uid in user_ids:
                cached = self._cache.get(uid)
                if cached is not None and cached[0] == version:
                    out[uid] = cached[1]
                    self._cache.move_to_end(uid)
                else:
                    missing.append(uid)
        if missing:
            stored = session.execute(
                select(ProfileVector.user_id, ProfileVector.data)
                .where(ProfileVector.user_id.in_(missing), ProfileVector.version == version)
            ).all()
            for uid, blob in stored:
                out[uid] = loads(blob)
                out[uid].version = version
                if remember:
                    self._remember(uid, version, out[uid])
            stale = [uid for uid in missing if uid not in out]
            if len(stale) >= BATCHED_FROM:
                out.update(self.rebuild_many(session, ctx, stale, remember))
            else:
                for uid in stale:
                    out[uid] = self.rebuild(session, ctx, uid, remember)
        return out

    def forget(self, user_id: int) -> None:
        with self._lock:
            self._cache.pop(user_id, None)

    def _remember(self, user_id: int, version: str, vec: ProfileVectors) -> None:
        with self._lock:
            self._cache[user_id] = (version, vec)
            self._cache.move_to_end(user_id)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)

    @property
    def cached(self) -> int:
        """Members' vectors held in memory."""
        return len(self._cache)
