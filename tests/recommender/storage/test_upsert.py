"""Get-or-create is an upsert: a new member's first commands, run at once, never collide."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from recommender.config import Settings
from recommender.members import servers
from recommender.service import PaperService
from recommender.storage.db import Database
from recommender.storage.models import (
    Feedback,
    Guild,
    ProfileVector,
    Subscription,
    User,
)
from recommender.storage.upsert import insert_ignore, insert_or_update
from recommender.views import Target

ROUNDS = 30


def race(calls: list[Callable[[], object]]) -> list[BaseException]:
    """Run the calls in threads released together; the exceptions they raised."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], object]) -> BaseException | None:
        barrier.wait()
        try:
            call()
        except BaseException as exc:  # noqa: BLE001 - the test reports every failure
            return exc
        return None

    with ThreadPoolExecutor(len(calls)) as pool:
        return [e for e in pool.map(run, calls) if e is not None]


def test_insert_ignore_inserts_once(db: Database) -> None:
    with db.session() as s:
        assert insert_ignore(s, User, ["id"], id=7) is True
        assert insert_ignore(s, User, ["id"], id=7) is False
        insert_or_update(s, ProfileVector, ["user_id"], ["version", "data"], user_id=7, version="a", data=b"1")
        insert_or_update(s, ProfileVector, ["user_id"], ["version", "data"], user_id=7, version="b", data=b"2")
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(User)) == 1
        assert s.execute(select(ProfileVector.version, ProfileVector.data)).one() == ("b", b"2")


def test_exactly_once_new_member_first_commands_never_collide(service: PaperService) -> None:
    paper_id = service.search("neural network", limit=1)[0].paper.id
    for round_no in range(ROUNDS):
        uid = 10_000 + round_no
        errors = race([
            lambda uid=uid: service.subscribe(Target.user(uid), "graph neural networks"),
            lambda uid=uid: service.subscribe(Target.user(uid), "graph neural networks"),
            lambda uid=uid: service.feedback(uid, paper_id, "save"),
            lambda uid=uid: service.recommend(uid),
        ])
        assert errors == [], f"round {round_no}: {errors!r}"
    with service.db.session() as s:
        users = s.scalar(select(func.count()).select_from(User).where(User.id >= 10_000))
        subs = s.scalar(select(func.count()).select_from(Subscription).where(Subscription.target_id >= 10_000))
        saves = s.scalar(select(func.count()).select_from(Feedback).where(Feedback.user_id >= 10_000))
        vectors = s.scalar(select(func.count()).select_from(ProfileVector).where(ProfileVector.user_id >= 10_000))
    assert (users, subs, saves, vectors) == (ROUNDS, ROUNDS, ROUNDS, ROUNDS)
    # Nothing half-made: every member's topic and save are there.
    for round_no in range(ROUNDS):
        assert service.topics(Target.user(10_000 + round_no)) == ["graph neural networks"]
        assert [p.id for p in service.reading_list(10_000 + round_no)] == [paper_id]


def test_exactly_once_first_admin_commands_create_one_server(db: Database, settings: Settings) -> None:
    for round_no in range(ROUNDS):
        gid = 500 + round_no

        def first(gid: int = gid) -> None:
            with db.session() as s:
                servers.ensure_guild(s, gid, settings, name="Lab")

        assert race([first, first, first]) == [], f"round {round_no}"
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Guild)) == ROUNDS


@pytest.mark.parametrize("kind", ["like", "dismiss"])
def test_feedback_twice_at_once_is_stored_once(service: PaperService, kind: str) -> None:
    paper_id = service.search("reinforcement learning", limit=1)[0].paper.id
    results: list[bool] = []
    errors = race([lambda: results.append(service.feedback(42, paper_id, kind)[1]) for _ in range(3)])
    assert errors == []
    assert results.count(True) >= 1
    with service.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Feedback).where(Feedback.user_id == 42)) == 1
