"""ProfileStore: members' vectors kept in the database and in memory, rebuilt when their version differs."""

from __future__ import annotations

from sqlalchemy import select

from recommender.service import PaperService
from recommender.storage.models import ProfileVector
from recommender.stores.codec import dumps
from recommender.stores.profiles import ProfileStore
from recommender.views import Target

USER = 7


def stored(service: PaperService) -> dict[int, tuple[str, bytes]]:
    with service.db.session() as s:
        return {uid: (v, d) for uid, v, d in s.execute(select(ProfileVector.user_id, ProfileVector.version, ProfileVector.data))}


def test_a_vector_is_stored_cached_and_loaded_after_a_restart(service: PaperService) -> None:
    service.subscribe(Target.user(USER), "graph neural networks")
    ctx = service.context()
    assert ctx is not None
    store = ProfileStore(service.db)
    with service.db.session() as s:
        vec = store.get(s, ctx, "v1", USER)
    assert vec.topics == ["graph neural networks"]
    assert stored(service)[USER] == ("v1", dumps(vec))
    with service.db.session() as s:
        assert store.get(s, ctx, "v1", USER) is vec  # from memory
    restarted = ProfileStore(service.db)
    with service.db.session() as s:
        loaded = restarted.get(s, ctx, "v1", USER)
    assert loaded is not vec and dumps(loaded) == dumps(vec)  # read back, not rebuilt


def test_a_vector_of_another_version_is_rebuilt(service: PaperService) -> None:
    service.subscribe(Target.user(USER), "graph neural networks")
    ctx = service.context()
    assert ctx is not None
    with service.db.session() as s:
        old = ProfileStore(service.db).get(s, ctx, "old", USER)
    service.subscribe(Target.user(USER), "speech recognition")
    with service.db.session() as s:  # the row as an older vocabulary left it
        s.execute(ProfileVector.__table__.update().values(version="old", data=dumps(old)))
    fresh = ProfileStore(service.db)
    with service.db.session() as s:
        assert fresh.get(s, ctx, "old", USER).topics == ["graph neural networks"]  # the stored, stale one
        rebuilt = fresh.get(s, ctx, "new", USER)
    assert rebuilt.topics == ["graph neural networks", "speech recognition"]
    assert stored(service)[USER][0] == "new"


def test_forget_drops_the_memory_copy_and_unknown_users_are_not_stored(service: PaperService) -> None:
    service.subscribe(Target.user(USER), "graph neural networks")
    ctx = service.context()
    assert ctx is not None
    store = ProfileStore(service.db)
    with service.db.session() as s:
        first = store.get(s, ctx, "v1", USER)
        store.forget(USER)
        assert store.get(s, ctx, "v1", USER) is not first
        nobody = store.get_many(s, ctx, "v1", [USER, 404])[404]
    assert nobody.empty and 404 not in stored(service)
