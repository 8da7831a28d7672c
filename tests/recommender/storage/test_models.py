"""The SQLAlchemy models: tables, constraints, keys, Discord-sized ids."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from recommender.storage.db import Database
from recommender.storage.models import (
    Base,
    Digest,
    DigestItem,
    Feedback,
    Guild,
    Paper,
    PaperSource,
    ReadingListEntry,
    Subscription,
    User,
)

TABLES = set(Base.metadata.tables)


def paper(pid: str = "2401.00001", **extra: object) -> Paper:
    return Paper(id=pid, title="A title", title_key="a title", source="file", **extra)


def test_every_model_has_a_table() -> None:
    # The storage list: papers, users, servers, subscriptions, feedback,
    # reading list and delivered digests.
    assert {"papers", "users", "guilds", "subscriptions", "feedback", "reading_list", "digests", "digest_items"} <= TABLES


def test_one_digest_per_target_and_day(db: Database) -> None:
    with db.session() as s:
        s.add(Digest(target_kind="channel", target_id=5, day=date(2026, 7, 1)))
    # Same target on another day, and another target on the same day, are fine.
    with db.session() as s:
        s.add(Digest(target_kind="channel", target_id=5, day=date(2026, 7, 2)))
        s.add(Digest(target_kind="user", target_id=5, day=date(2026, 7, 1)))
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(Digest(target_kind="channel", target_id=5, day=date(2026, 7, 1)))
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Digest)) == 3


@pytest.mark.parametrize(
    "make_duplicate",
    [
        pytest.param(lambda: Subscription(target_kind="user", target_id=1, topic="GNN", topic_key="gnn"), id="subscription"),
        pytest.param(lambda: Feedback(user_id=1, paper_id="2401.00001", kind="like"), id="feedback"),
        pytest.param(lambda: ReadingListEntry(user_id=1, paper_id="2401.00001"), id="reading-list"),
        pytest.param(lambda: PaperSource(paper_id="2401.00001", source="hf", external_id="x"), id="paper-source"),
        pytest.param(lambda: DigestItem(digest_id=1, paper_id="2401.00001", rank=1, score=0.5), id="digest-item"),
    ],
)
def test_unique_constraints(db: Database, make_duplicate) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s:
        s.add_all([paper(), User(id=1), Digest(id=1, target_kind="channel", target_id=1, day=date(2026, 7, 1))])
    with db.session() as s:
        s.add(make_duplicate())
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(make_duplicate())


def test_foreign_keys_are_enforced_and_cascade(db: Database) -> None:
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(User(id=1))
        s.flush()
        s.add(Feedback(user_id=1, paper_id="no-such-paper", kind="like"))
    with db.session() as s:
        s.add_all([paper(), User(id=1)])
        s.flush()
        s.add_all([Feedback(user_id=1, paper_id="2401.00001", kind="like"), ReadingListEntry(user_id=1, paper_id="2401.00001")])
    with db.session() as s:
        s.delete(s.get(Paper, "2401.00001"))
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Feedback)) == 0
        assert s.scalar(select(func.count()).select_from(ReadingListEntry)) == 0


def test_discord_snowflakes_fit(db: Database) -> None:
    snowflake = 1_234_567_890_123_456_789  # Discord ids need 64 bits
    with db.session() as s:
        s.add(User(id=snowflake))
        s.add(Guild(id=snowflake, digest_channel_id=snowflake - 1))
    with db.session() as s:
        assert s.get(User, snowflake) is not None
        assert s.get(Guild, snowflake).digest_channel_id == snowflake - 1

