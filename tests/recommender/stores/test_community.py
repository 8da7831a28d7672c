"""CommunityStore: the likes matrix from the database, and a community model refitted when likes change."""

from __future__ import annotations

from sqlalchemy import delete

from recommender.ranking.community import MIN_LIKED_PAPERS, MIN_MEMBERS
from recommender.service import PaperService
from recommender.storage.models import Feedback, User
from recommender.stores.community import CommunityStore, likes_matrix, likes_signature


def add_likes(service: PaperService, pairs: list[tuple[int, str, str]]) -> None:
    with service.db.session() as s:
        for uid in {u for u, _, _ in pairs}:
            if s.get(User, uid) is None:
                s.add(User(id=uid))
        s.flush()
        s.add_all([Feedback(user_id=u, paper_id=p, kind=k) for u, p, k in pairs])


def community(service: PaperService, members: int = MIN_MEMBERS + 1, per_member: int = 6) -> list[tuple[int, str, str]]:
    index = service.index()
    assert index is not None and members * per_member >= MIN_LIKED_PAPERS
    return [(100 + m, str(index.ids[m * per_member + j]), "like") for m in range(members) for j in range(per_member)]


def test_the_likes_matrix_counts_likes_and_saves_once_and_leaves_dismissals_out(service: PaperService) -> None:
    index = service.index()
    assert index is not None
    a, b = str(index.ids[0]), str(index.ids[1])
    add_likes(service, [(1, a, "like"), (1, a, "save"), (2, a, "save"), (2, b, "dismiss")])
    matrix, members = likes_matrix(service.db, index)
    assert members == 2 and matrix.shape == (len(index), 2)
    assert matrix[index.row[a]].toarray().tolist() == [[1.0, 1.0]] and matrix[index.row[b]].nnz == 0
    assert likes_signature(service.db)[0] == 3


def test_no_likes_no_model_and_a_community_gets_one(service: PaperService) -> None:
    store = CommunityStore(service.db, service.index_store)
    bare = store.context()
    assert bare is not None and bare.community is None and bare.colikes is None and store.model_id == "none"
    assert bare.reference_rows.size > 0
    add_likes(service, community(service))
    ctx = store.context()
    assert ctx is not None and ctx.community is not None and ctx.colikes is not None
    assert ctx.community.members == MIN_MEMBERS + 1 and store.model_id != "none"


def test_the_model_is_kept_until_likes_change_and_refresh_refits_under_the_same_name(service: PaperService) -> None:
    likes = community(service)
    add_likes(service, likes)
    store = CommunityStore(service.db, service.index_store)
    first = store.context()
    fitted_id = store.model_id
    assert first is not None and store.context().community is first.community  # type: ignore[union-attr]
    add_likes(service, [(100, likes[-1][1], "like")])
    assert store.context().community is not first.community and store.model_id != fitted_id  # type: ignore[union-attr]
    again, model = store.model_id, store.context().community  # type: ignore[union-attr]
    store.refresh()  # refitted on the same likes: a new model object, the same name (ids hash what was fitted)
    assert store.context().community is not model and store.model_id == again  # type: ignore[union-attr]
    with service.db.session() as s:  # likes gone: the model goes too
        s.execute(delete(Feedback))
    assert store.context().community is None  # type: ignore[union-attr]


def test_in_a_big_community_a_like_keeps_every_other_members_stored_vectors(service: PaperService, monkeypatch) -> None:
    """Issue 13: stored vectors are versioned by what they depend on. In a community past
    CHEAP_REFIT_PAPERS the model and the co-likes are refitted daily, so one like changes
    neither the context's version (no one else's vectors are rebuilt) nor the co-likes; the
    liker's own vectors are rebuilt with the like; a refresh makes a new version."""
    from recommender.stores import community as store_module

    monkeypatch.setattr(store_module, "CHEAP_REFIT_PAPERS", 5)
    likes = community(service)
    add_likes(service, likes)
    store = CommunityStore(service.db, service.index_store)
    store.context()
    assert store._background is not None
    store._background.join()  # the big fit runs in the background
    ctx = store.context()
    assert ctx is not None and ctx.community is not None
    version, colikes = ctx.version, ctx.colikes
    index = service.index()
    assert index is not None
    fresh = str(index.ids[len(index) - 1])
    add_likes(service, [(100, fresh, "like")])
    after = store.context()
    assert after is not None and after.version == version and after.colikes is colikes
    with service.db.session() as s:
        mine = service.profiles.rebuild(s, after, 100)
    assert index.row[fresh] in mine.liked_rows.tolist() and mine.version == version
    store.refresh()
    assert store.context().version != version  # type: ignore[union-attr]
