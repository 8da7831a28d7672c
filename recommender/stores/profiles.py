"""Stored per-member profile vectors: rebuilt when feedback arrives, read at digest time."""

from __future__ import annotations

import threading

from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.members.inputs import user_inputs
from recommender.ranking.context import ScoringContext
from recommender.ranking.profile import ProfileVectors, build_vectors
from recommender.storage.db import Database
from recommender.storage.models import ProfileVector, User, utcnow
from recommender.storage.upsert import insert_or_update
from recommender.stores.codec import dumps, loads

CACHE_SIZE = 200_000


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
        version = ctx.version
        vec = build_vectors(ctx, user_inputs(session, user_id))
        blob = dumps(vec)
        session.flush()
        if session.get(User, user_id) is not None:  # an upsert: two rebuilds at once never collide
            insert_or_update(session, ProfileVector, ["user_id"], ["version", "data", "updated_at"],
                             user_id=user_id, version=version, data=blob, updated_at=utcnow())
        self._remember(user_id, version, vec)
        return vec

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
            for uid in missing:
                if uid not in out:
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
