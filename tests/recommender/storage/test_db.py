"""The database handle and the migration, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from recommender.storage.db import Database, DatabaseError, alembic_config
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


def test_migration_creates_every_table_and_matches_the_models(blank_db_url: str) -> None:
    database = Database(blank_db_url)
    try:
        assert database.current_revision() is None
        revision = database.upgrade()
        head = ScriptDirectory.from_config(alembic_config(database.engine)).get_current_head()
        assert revision == head == database.current_revision()
        assert set(inspect(database.engine).get_table_names()) == TABLES | {"alembic_version"}
        # Nothing the models declare is missing from (or different in) the migrated schema.
        with database.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        database.dispose()


def test_upgrade_is_idempotent_and_keeps_data(blank_db_url: str) -> None:
    first = Database(blank_db_url)
    try:
        head = first.upgrade()
        with first.session() as s:
            s.add(paper())
        assert first.upgrade() == head
    finally:
        first.dispose()
    again = Database(blank_db_url)  # a new process starting on the same database
    try:
        assert again.upgrade() == head
        with again.session() as s:
            assert s.scalar(select(func.count()).select_from(Paper)) == 1
            assert s.scalar(text("SELECT count(*) FROM alembic_version")) == 1
    finally:
        again.dispose()


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


def test_session_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError), db.session() as s:
        s.add(paper())
        s.flush()
        raise RuntimeError("boom")
    with db.session() as s:
        assert s.get(Paper, "2401.00001") is None


def test_bad_url_is_a_clear_error() -> None:
    with pytest.raises(DatabaseError, match="not a valid database URL"):
        Database("not a url at all")


def test_unreachable_server_is_a_clear_error_without_the_password() -> None:
    database = Database("postgresql+psycopg://paperbot:s3cret-pw@127.0.0.1:1/paperbot")
    try:
        for attempt in (database.upgrade, database.current_revision):
            with pytest.raises(DatabaseError, match="cannot open the database") as caught:
                attempt()
            assert "s3cret-pw" not in str(caught.value)
            assert "127.0.0.1:1" in str(caught.value)
    finally:
        database.dispose()


def test_sqlite_creates_the_data_directory(tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "deep" / "er" / "paperbot.db"
    database = Database(f"sqlite:///{target}")
    try:
        database.upgrade()
        assert target.is_file()
        assert database.backend == "sqlite"
    finally:
        database.dispose()


def test_an_unusable_data_directory_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(DatabaseError, match="cannot create the data directory"):
        Database(f"sqlite:///{blocker / 'data' / 'paperbot.db'}")
