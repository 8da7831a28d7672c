"""The database handle and the migration, on SQLite and PostgreSQL: upgrades, sessions, clear errors."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import DBAPIError

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


def test_transact_does_work_again_after_a_lost_connection(db: Database) -> None:
    """The connection is cut inside the transaction (on PostgreSQL, pg_terminate_backend from
    another connection; on SQLite, a connection SQLAlchemy marks as lost): the work runs again on a
    new connection, and its write is there once."""
    runs: list[int] = []

    def work(session, name: str) -> int:  # type: ignore[no-untyped-def]
        runs.append(1)
        session.add(paper(name))
        session.flush()
        if len(runs) == 1:
            if db.backend == "postgresql":
                pid = session.execute(text("SELECT pg_backend_pid()")).scalar()
                with db.engine.connect() as other:
                    other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                    other.commit()
            else:
                raise DBAPIError("COMMIT", None, OSError("connection lost"), connection_invalidated=True)
        return len(runs)

    assert db.transact(work, "2401.00098") == 2
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Paper).where(Paper.id == "2401.00098")) == 1


def test_transact_does_not_repeat_other_errors(db: Database) -> None:
    runs: list[int] = []

    def work(session) -> None:  # type: ignore[no-untyped-def]
        runs.append(1)
        session.add(paper("2401.00099"))
        session.flush()
        raise ValueError("a bug, not the connection")

    with pytest.raises(ValueError):
        db.transact(work)
    assert len(runs) == 1
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Paper).where(Paper.id == "2401.00099")) == 0
