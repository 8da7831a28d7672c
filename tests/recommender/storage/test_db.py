"""The database handle and the migration, on SQLite and PostgreSQL: upgrades, sessions, clear errors."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text

from recommender.storage.db import Database, DatabaseError, alembic_config
from recommender.storage.models import (
    Base,
    Paper,
)

TABLES = set(Base.metadata.tables)


def paper(pid: str = "2401.00001", **extra: object) -> Paper:
    return Paper(id=pid, title="A title", title_key="a title", source="file", **extra)


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
