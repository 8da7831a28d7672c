"""Stored per-member profile vectors: rebuilt when feedback arrives, read at digest time."""

from __future__ import annotations

import threading

from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.members.inputs import user_inputs, users_inputs
from recommender.ranking.context import ScoringContext
from recommender.ranking.population import build_population
from recommender.ranking.profile import ProfileVectors, build_vectors
from recommender.storage.db import Database
from recommender.storage.models import ProfileVector, User, utcnow
from recommender.storage.upsert import insert_or_update
from recommender.stores.codec import dumps, loads

CACHE_SIZE = 200_000
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
        self._cache: dict[int, tuple[str, ProfileVectors]] = {}
        self._lock = threading.Lock()

    def rebuild(self, session: Session, ctx: ScoringContext, user_id: int) -> ProfileVectors:
        vec = build_vectors(ctx, user_inputs(session, user_id))
        self._store(session, ctx.version, user_id, vec)
        return vec

    def rebuild_many(self, session: Session, ctx: ScoringContext, user_ids: list[int]) -> dict[int, ProfileVectors]:
        """Many members' vectors in batched products (`build_population`: what the day's first
        digest after the community refit needs for every member), stored as `rebuild` does."""
        if ctx.semantic is not None:  # the semantic extra is built member by member
            return {uid: self.rebuild(session, ctx, uid) for uid in user_ids}
        out: dict[int, ProfileVectors] = {}
        for a in range(0, len(user_ids), BATCH):
            ids = user_ids[a : a + BATCH]
            inputs = users_inputs(session, ids)
            pop = build_population(ctx, [inputs[uid] for uid in ids])
            for i, uid in enumerate(ids):
                out[uid] = pop.vectors(ctx, i)
                self._store(session, ctx.version, uid, out[uid])
        return out

    def _store(self, session: Session, version: str, user_id: int, vec: ProfileVectors) -> None:
        blob = dumps(vec)
        session.flush()
        if session.get(User, user_id) is not None:  # an upsert: two rebuilds at once never collide
            insert_or_update(session, ProfileVector, ["user_id"], ["version", "data", "updated_at"],
                             user_id=user_id, version=version, data=blob, updated_at=utcnow())
        self._remember(user_id, version, vec)

    def get(self, session: Session, ctx: ScoringContext, user_id: int) -> ProfileVectors:
        return self.get_many(session, ctx, [user_id])[user_id]

    def get_many(self, session: Session, ctx: ScoringContext, user_ids: list[int]) -> dict[int, ProfileVectors]:
        version = ctx.version
        out: dict[int, ProfileVectors] = {}
        missing = []
        with self._lock:
            for uid in user_ids:
                cached = self._cache.get(uid)
                if cached is not None and cached[0] == version:
                    out[uid] = cached[1]
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
                self._remember(uid, version, out[uid])
            stale = [uid for uid in missing if uid not in out]
            if len(stale) >= BATCHED_FROM:
                out.update(self.rebuild_many(session, ctx, stale))
            else:
                for uid in stale:
                    out[uid] = self.rebuild(session, ctx, uid)
        return out

    def forget(self, user_id: int) -> None:
        with self._lock:
            self._cache.pop(user_id, None)

    def _remember(self, user_id: int, version: str, vec: ProfileVectors) -> None:
        with self._lock:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[user_id] = (version, vec)
