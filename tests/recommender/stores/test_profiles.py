"""ProfileStore: members' vectors kept in the database and in memory, rebuilt when their version differs."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from recommender.ranking.context import ScoringContext
from recommender.service import PaperService
from recommender.storage.models import ProfileVector
from recommender.stores.codec import dumps
from recommender.stores.profiles import ProfileStore
from recommender.views import Target

USER = 7


def versioned(ctx: ScoringContext, version: str) -> ScoringContext:
    """The context under another version name, as after a refit."""
    ctx.version = version
    return ctx


def stored(service: PaperService) -> dict[int, tuple[str, bytes]]:
    with service.db.session() as s:
        return {uid: (v, d) for uid, v, d in s.execute(select(ProfileVector.user_id, ProfileVector.version, ProfileVector.data))}


def test_a_vector_is_stored_cached_and_loaded_after_a_restart(service: PaperService) -> None:
    service.subscribe(Target.user(USER), "graph neural networks")
    ctx = service.context()
    assert ctx is not None
    store = ProfileStore(service.db)
    with service.db.session() as s:
        vec = store.get(s, versioned(ctx, "v1"), USER)
    assert vec.topics == ["graph neural networks"]
    assert stored(service)[USER] == ("v1", dumps(vec))
    with service.db.session() as s:
        assert store.get(s, versioned(ctx, "v1"), USER) is vec  # from memory
    restarted = ProfileStore(service.db)
    with service.db.session() as s:
        loaded = restarted.get(s, versioned(ctx, "v1"), USER)
    assert loaded is not vec and dumps(loaded) == dumps(vec)  # read back, not rebuilt


def test_a_vector_of_another_version_is_rebuilt(service: PaperService) -> None:
    service.subscribe(Target.user(USER), "graph neural networks")
    ctx = service.context()
    assert ctx is not None
    with service.db.session() as s:
        old = ProfileStore(service.db).get(s, versioned(ctx, "old"), USER)
    service.subscribe(Target.user(USER), "speech recognition")
    with service.db.session() as s:  # the row as an older vocabulary left it
        s.execute(ProfileVector.__table__.update().values(version="old", data=dumps(old)))
    fresh = ProfileStore(service.db)
    with service.db.session() as s:
        assert fresh.get(s, versioned(ctx, "old"), USER).topics == ["graph neural networks"]  # the stored, stale one
        rebuilt = fresh.get(s, versioned(ctx, "new"), USER)
    assert rebuilt.topics == ["graph neural networks", "speech recognition"]
    assert stored(service)[USER][0] == "new"


def test_forget_drops_the_memory_copy_and_unknown_users_are_not_stored(service: PaperService) -> None:
    service.subscribe(Target.user(USER), "graph neural networks")
    ctx = service.context()
    assert ctx is not None
    store = ProfileStore(service.db)
    with service.db.session() as s:
        first = store.get(s, versioned(ctx, "v1"), USER)
        store.forget(USER)
        assert store.get(s, versioned(ctx, "v1"), USER) is not first
        nobody = store.get_many(s, versioned(ctx, "v1"), [USER, 404])[404]
    assert nobody.empty and 404 not in stored(service)


FIRST, SECOND = "2606.29090", "2606.30093"  # the two RAG papers of the report


def test_a_colleagues_first_like_does_not_break_recommend_why_or_digests(service: PaperService, restart: Callable[[], PaperService]) -> None:
    service.feedback(1, FIRST, "like")
    restart().feedback(2, SECOND, "like")
    later = restart()
    result = later.recommend(1)
    assert result.picks and FIRST not in [r.paper.id for r in result.picks]
    assert later.why(1, SECOND).paper.id == SECOND
    later.set_dm_digest(1, True)
    (draft,) = later.compose_personal_digests([(1, date.today())])
    assert draft.picks
    assert later.compose_digest_for_channel(10, 20).picks == []  # a channel with no topics anywhere: no error


def test_in_one_process_too(service: PaperService) -> None:
    service.feedback(1, FIRST, "like")
    assert service.recommend(1).picks
    service.feedback(2, SECOND, "like")  # member 1's vectors are now of an older community
    assert service.recommend(1).picks
    assert service.why(1, SECOND).score > 0
    (draft,) = service.compose_personal_digests([(1, date.today())])
    assert draft.picks


def test_vectors_follow_an_incremental_index_update(service: PaperService, tmp_path: Path) -> None:
    """New papers extend the index (same vocabulary, more rows): stored vectors are rebuilt."""
    service.feedback(1, FIRST, "like")
    service.feedback(2, SECOND, "like")
    before = service.context()
    assert before is not None
    records = tmp_path / "more.jsonl"
    paper = {
        "id": "2607.00001", "title": "Adaptive budgeted retrieval-augmented generation for question answering",
        "abstract": "Retrieval-augmented generation (RAG) with an adaptive retrieval budget answers questions reliably.",
        "published": "2026-07-01",
    }
    records.write_text(json.dumps(paper) + "\n")
    service.ingest_file(records)
    after = service.context()
    assert after is not None and after.index.fit_id == before.index.fit_id and len(after.index) == len(before.index) + 1
    assert after.version != before.version
    ids = [r.paper.id for r in service.recommend(1, limit=20).picks]
    assert ids and "2607.00001" in ids


def test_the_version_is_the_same_in_every_process(service: PaperService, restart: Callable[[], PaperService]) -> None:
    """The same index and likes give the same version after a restart, so stored vectors are reused."""
    service.feedback(1, FIRST, "like")
    service.feedback(2, SECOND, "like")
    first = service.context()
    second = restart().context()
    assert first is not None and second is not None and first.version == second.version


def test_digests_in_batches_share_their_window_and_pick_as_one_batch(service: PaperService) -> None:
    for uid, (paper, topic) in enumerate([(FIRST, "neural networks"), (SECOND, "graphs"), (FIRST, "proteins"),
                                          (SECOND, "language models"), (FIRST, "robots")], start=1):
        service.feedback(uid, paper, "like")
        service.subscribe(Target.user(uid), topic)
        service.set_dm_digest(uid, True)
    due = [(uid, date.today()) for uid in range(1, 6)]
    whole = service.compose_personal_digests(due)
    pieces = service.compose_personal_digests(due, batch=2)  # three batches, one block
    assert [[p.paper.id for p in d.picks] for d in pieces] == [[p.paper.id for p in d.picks] for d in whole]
    assert sum(len(d.picks) for d in whole) > 5


def test_many_stale_vectors_are_rebuilt_in_batches_and_score_as_one_by_one(
    service: PaperService, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np

    import recommender.stores.profiles as profiles_module
    from recommender.evaluation import synthetic
    from recommender.evaluation.library import store_members
    from recommender.members.inputs import user_inputs
    from recommender.ranking.profile import build_vectors
    from recommender.ranking.scores import score

    ctx = service.context()
    assert ctx is not None
    order = np.argsort(ctx.index.published, kind="stable")
    community = synthetic.members(ctx.index, order[:-100], order[-100:], 60, seed=3)  # topics, likes, dismissals
    members = store_members(service.db, ctx.index, community, first_id=1000)
    ctx = service.context()
    assert ctx is not None
    monkeypatch.setattr(profiles_module, "BATCH", 25)  # three batches
    with service.db.session() as s:
        batched = ProfileStore(service.db).get_many(s, versioned(ctx, "after-refit"), members)
        one = {uid: build_vectors(ctx, user_inputs(s, uid)) for uid in members}
    block = ctx.block(order[-100:])
    assert sum(bool(one[uid].topics) for uid in members) > 10 and sum(one[uid].has_negative for uid in members) > 10
    for uid in members:
        assert batched[uid].topics == one[uid].topics and batched[uid].has_likes == one[uid].has_likes
        np.testing.assert_allclose(score(ctx, batched[uid], block)[0], score(ctx, one[uid], block)[0], rtol=1e-4, atol=1e-4)
    assert {uid: v for uid, (v, _) in stored(service).items() if uid in batched} == {uid: "after-refit" for uid in members}


def test_the_memory_cache_keeps_the_most_recent_members_and_digests_do_not_fill_it(
    service: PaperService, monkeypatch: pytest.MonkeyPatch
) -> None:
    import recommender.stores.profiles as profiles_module

    for uid, topic in ((1, "graph neural networks"), (2, "speech recognition"), (3, "proteins")):
        service.subscribe(Target.user(uid), topic)
    ctx = service.context()
    assert ctx is not None
    monkeypatch.setattr(profiles_module, "CACHE_SIZE", 2)
    store = ProfileStore(service.db)
    with service.db.session() as s:
        store.get_many(s, ctx, [1, 2, 3], remember=False)  # a digest's read: nothing kept
        assert store.cached == 0
        one = store.get(s, ctx, 1)
        store.get(s, ctx, 2)
        assert store.get(s, ctx, 1) is one  # used again: the most recent now
        store.get(s, ctx, 3)  # ... so 2 makes way
        assert list(store._cache) == [1, 3] and store.get(s, ctx, 1) is one
