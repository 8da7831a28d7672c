"""The database handle: engine, sessions and automatic migration."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")
MIGRATIONS = Path(__file__).parent / "migrations"


class DatabaseError(RuntimeError):
    """The database cannot be reached or set up; the message says why."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"PAPERBOT_DATABASE_URL is not a valid database URL: {url!r}") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseError(f"cannot create the data directory {folder}: {exc.strerror or exc}") from None
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def connection_lost(exc: BaseException) -> bool:
    """The server or the network dropped the connection (SQLAlchemy invalidated it)."""
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


class Database:
    """Owns the engine and hands out sessions. `upgrade()` migrates to the newest schema."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def upgrade(self) -> str:
        """Create or migrate the schema to the newest revision; return that revision."""
        cfg = alembic_config(self.engine)
        try:
            command.upgrade(cfg, "head")
        except OperationalError as exc:
            raise DatabaseError(f"cannot open the database ({self.safe_url}): {exc.orig}") from None
        return self.current_revision() or ""

    def current_revision(self) -> str | None:
        try:
            with self.engine.connect() as conn:
                return MigrationContext.configure(conn).get_current_revision()
        except OperationalError as exc:
            raise DatabaseError(f"cannot open the database ({self.safe_url}): {exc.orig}") from None

    def head_revision(self) -> str:
        """The newest revision this paperbot's migrations know."""
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(alembic_config(self.engine)).get_current_head() or ""

    def known_revision(self, revision: str) -> bool:
        """Whether `revision` is one of this paperbot's (a newer paperbot's database is not)."""
        from alembic.script import ScriptDirectory
        from alembic.util import CommandError

        try:
            return ScriptDirectory.from_config(alembic_config(self.engine)).get_revision(revision) is not None
        except CommandError:
            return False

    @property
    def safe_url(self) -> str:
        """The URL with any password hidden, for messages and logs."""
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction: committed on success, rolled back on error."""
        with self._sessions() as session, session.begin():
            yield session

    def transact(self, work: Callable[Concatenate[Session, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
        """`work(session, ...)` in one transaction, run again in a new one (up to 3 tries) when the
        connection was lost inside it: the lost transaction was rolled back by the server, so an
        idempotent or atomic piece of work (the delivery ledger's) is neither lost nor done twice."""
        for attempt in Retrying(retry=retry_if_exception(connection_lost), stop=stop_after_attempt(3),
                                wait=wait_exponential(multiplier=0.1, max=2), reraise=True,
                                before_sleep=lambda state: log.warning(
                                    "database connection lost in %s, trying again: %s", getattr(work, "__name__", work),
                                    state.outcome and state.outcome.exception())):
            with attempt, self.session() as session:
                return work(session, *args, **kwargs)
        raise AssertionError("unreachable")  # Retrying re-raises the last error

    def dispose(self) -> None:
        self.engine.dispose()
