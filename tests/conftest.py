"""Shared fixtures for the whole test suite.

* `backend` / `db_url` / `db`: a fresh, migrated database per test, on SQLite
  (a file in the test's tmp dir, always) and on PostgreSQL (a throwaway database
  `pb_<random>` on the server named by PAPERBOT_TEST_DATABASE_URL, created with
  AUTOCOMMIT and dropped afterwards; skipped with a message when that variable is
  not set). Both are copies of a template migrated once per session (the migrations
  themselves run on `blank_db_url`, a database nothing has touched yet).
* `settings`: `recommender.config.Settings` built from explicit values only, so a
  developer's `.env` or PAPERBOT_* environment variables cannot leak in.
* `service`: a started `PaperService` holding the bundled demo corpus (3,000 real
  arXiv papers) with its TF-IDF index. Seeding and fitting take seconds, so each
  backend is seeded once per session into a template (a SQLite file, a PostgreSQL
  template database) and every test gets its own copy of it and of the index file
  (the fitted index object itself is shared read-only, so it is not re-read).
* `bare_service`: a started `PaperService` on an empty database (no demo corpus).
* `server` / `client` / `ingest_settings`: the local fault-injecting HTTP server, a
  fast polite client, and the test settings with every source pointed at the server.
"""

from __future__ import annotations

import contextlib
import functools
import os
import secrets
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from recommender.config import Settings
from recommender.ingest.http import PoliteClient
from recommender.ingest.runner import IngestReport
from recommender.ranking.index import PaperIndex
from recommender.service import PaperService
from recommender.storage.db import Database
from recommender.stores.index import INDEX_FILE
from tests.support.httpserver import FaultServer
from tests.support.sources import make_client

PG_ENV = "PAPERBOT_TEST_DATABASE_URL"
PG_SKIP = f"{PG_ENV} not set: PostgreSQL tests skipped"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
DB_FILE = "paperbot.db"


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        return PG_SKIP
    return f"PostgreSQL tests run on {make_url(url).render_as_string(hide_password=True)} (a throwaway database per test)"


# -- settings ------------------------------------------------------------------


def make_settings(data_dir: Path, database_url: str | None = None, **overrides: Any) -> Settings:
    """Settings from explicit values only: every field is passed, and `.env` is not read.

    Init arguments beat environment variables in pydantic-settings, so passing
    every field (defaults included) means nothing from the environment is used.
    """
    values: dict[str, Any] = {
        name: field.get_default(call_default_factory=True) for name, field in Settings.model_fields.items()
    }
    values.update(data_dir=data_dir, database_url=database_url, discord_token=None)
    values.update(overrides)
    return Settings(_env_file=None, **values)


# -- PostgreSQL: throwaway databases on the test server -----------------------


def _pg_url(base: str, name: str) -> str:
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def create_pg_database(admin: Engine, template: str | None = None) -> str:
    name = f"pb_{secrets.token_hex(6)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    return name


def drop_pg_database(admin: Engine, name: str) -> None:
    with admin.connect() as conn:
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid()"),
            {"name": name},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))


@pytest.fixture(scope="session")
def pg_base_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(PG_SKIP)
    return url


@pytest.fixture(scope="session")
def pg_admin(pg_base_url: str) -> Iterator[Engine]:
    """An AUTOCOMMIT engine on the server's maintenance database, for CREATE/DROP DATABASE."""
    engine = create_engine(pg_base_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:  # the variable is set, so the server must be there
        pytest.fail(f"{PG_ENV} is set but PostgreSQL is unreachable: {exc.orig}")
    yield engine
    engine.dispose()


class PgPool:
    """Throwaway databases, created one step ahead and dropped in the background.

    CREATE and DROP DATABASE take a few tenths of a second each; a worker thread
    does them while the tests run, so they overlap instead of adding up. Every
    test still gets a database of its own that nobody else has used.
    """

    def __init__(self, admin: Engine) -> None:
        self.admin = admin
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-pool")
        self.ready: dict[str | None, list[Future[str]]] = {}
        self.lock = threading.Lock()

    def _create(self, template: str | None) -> Future[str]:
        return self.worker.submit(create_pg_database, self.admin, template)

    def take(self, template: str | None = None) -> str:
        """A new database (a copy of `template`), and start preparing the next one."""
        with self.lock:
            queue = self.ready.setdefault(template, [])
            future = queue.pop(0) if queue else self._create(template)
            queue.append(self._create(template))
        return future.result()

    def give_back(self, name: str) -> None:
        self.worker.submit(drop_pg_database, self.admin, name)

    def release(self, template: str | None) -> None:
        """Drop the copies prepared from `template` and wait, so the template can be dropped."""
        with self.lock:
            queue = self.ready.pop(template, [])
        for future in queue:
            with contextlib.suppress(Exception):
                self.give_back(future.result())
        self.worker.submit(lambda: None).result()

    def close(self) -> None:
        for template in list(self.ready):
            self.release(template)
        self.worker.shutdown(wait=True)


@pytest.fixture(scope="session")
def pg_pool(pg_admin: Engine) -> Iterator[PgPool]:
    pool = PgPool(pg_admin)
    yield pool
    pool.close()


@pytest.fixture
def pg_database(pg_pool: PgPool, pg_base_url: str) -> Iterator[str]:
    """URL of an empty throwaway PostgreSQL database, dropped afterwards."""
    name = pg_pool.take()
    yield _pg_url(pg_base_url, name)
    pg_pool.give_back(name)


# -- the seeded templates ------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    """A database holding the demo corpus, and the index file fitted on it."""

    url: str
    index_file: Path
    index: PaperIndex
    report: IngestReport
    pg_name: str | None = None

    @property
    def sqlite_file(self) -> Path:
        return Path(make_url(self.url).database or "")


def _seed(data_dir: Path, url: str) -> tuple[IngestReport, Path, PaperIndex]:
    service = PaperService(make_settings(data_dir, url))
    report = service.start()
    index = service.index()
    assert report is not None and report.new > 0 and index is not None, "the demo corpus did not seed"
    if service.db.backend == "sqlite":
        with service.db.engine.connect() as conn:  # fold the WAL into the main file before copying
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    service.close()
    return report, service.index_store.path, index


@pytest.fixture(scope="session")
def seeded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    data_dir = tmp_path_factory.mktemp("seeded-sqlite")
    url = f"sqlite:///{data_dir / DB_FILE}"
    report, index_file, index = _seed(data_dir, url)
    return Seeded(url, index_file, index, report)


@pytest.fixture(scope="session")
def seeded_postgres(
    pg_admin: Engine, pg_pool: PgPool, pg_base_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Seeded]:
    name = create_pg_database(pg_admin)
    url = _pg_url(pg_base_url, name)
    try:
        report, index_file, index = _seed(tmp_path_factory.mktemp("seeded-postgres"), url)
        yield Seeded(url, index_file, index, report, name)
    finally:
        pg_pool.release(name)
        drop_pg_database(pg_admin, name)


@pytest.fixture(scope="session")
def migrated_postgres(pg_admin: Engine, pg_pool: PgPool, pg_base_url: str) -> Iterator[str]:
    """Name of a migrated, empty template database (copying it beats migrating per test)."""
    name = create_pg_database(pg_admin)
    try:
        database = Database(_pg_url(pg_base_url, name))
        database.upgrade()
        database.dispose()
        yield name
    finally:
        pg_pool.release(name)
        drop_pg_database(pg_admin, name)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite file (copying it beats migrating per test)."""
    path = tmp_path_factory.mktemp("migrated-sqlite") / DB_FILE
    database = Database(f"sqlite:///{path}")
    database.upgrade()
    database.dispose()
    return path


@functools.cache
def head_revision() -> str:
    """The newest migration, read once per session."""
    return Database("sqlite://").head_revision()


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy a SQLite database with SQLite's backup API (safe even if `source` is open)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


# -- per-test databases and services -------------------------------------------


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and not os.environ.get(PG_ENV):
        pytest.skip(PG_SKIP)
    return str(request.param)


@pytest.fixture
def blank_db_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[str]:
    """A database nothing has been done to: a SQLite path with no file, an empty PostgreSQL database."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'blank' / DB_FILE}"
        return
    yield request.getfixturevalue("pg_database")


@pytest.fixture
def db_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[str]:
    """A new database for this test: empty (SQLite: a new file, or a copy of a migrated
    template when the test uses `db`; PostgreSQL: a copy of a migrated template), or a
    copy of the seeded template when the test uses `service`."""
    seeded: Seeded | None = request.getfixturevalue(f"seeded_{backend}") if "service" in request.fixturenames else None
    if backend == "sqlite":
        path = tmp_path / DB_FILE
        if seeded is not None:
            copy_sqlite(seeded.sqlite_file, path)
        elif "db" in request.fixturenames:  # `db` migrates it anyway: start from the migrated copy
            copy_sqlite(request.getfixturevalue("migrated_sqlite"), path)
        yield f"sqlite:///{path}"
        return
    pool: PgPool = request.getfixturevalue("pg_pool")
    template = seeded.pg_name if seeded else request.getfixturevalue("migrated_postgres")
    name = pool.take(template)
    yield _pg_url(request.getfixturevalue("pg_base_url"), name)
    pool.give_back(name)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """The test's database, migrated to the newest revision."""
    database = Database(db_url)
    # A copy of a migrated template is at the head already; then the upgrade would be a
    # no-op that still loads every migration (a tenth of a second per test).
    if database.current_revision() != head_revision():
        database.upgrade()
    assert database.current_revision() == head_revision()
    yield database
    database.dispose()


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return make_settings(tmp_path, db_url)


@pytest.fixture
def service(request: pytest.FixtureRequest, settings: Settings, db: Database, backend: str) -> Iterator[PaperService]:
    """A started PaperService on a copy of the demo corpus (3,000 real arXiv papers)."""
    seeded: Seeded = request.getfixturevalue(f"seeded_{backend}")
    index_file = settings.index_dir / INDEX_FILE
    index_file.parent.mkdir(parents=True, exist_ok=True)
    for source in seeded.index_file.parent.iterdir():  # the manifest and the files it names
        if source.name != INDEX_FILE:
            os.link(source, settings.index_dir / source.name)  # never written in place: new generations are new files
    shutil.copyfile(seeded.index_file, index_file)
    copied = index_file.stat().st_ino
    svc = PaperService(settings, db)
    # Hand the store the template's index object, as if it had just read the copied
    # files. It is never mutated: refreshes build new PaperIndex objects. The store's
    # loading from disk has its own tests (tests/recommender/stores/test_index.py).
    svc.index_store._index = seeded.index
    svc.index_store._loaded_stamp = svc.index_store._stamp()
    assert svc.start() is None, "the copied database should not be seeded again"
    # The copied index matches the copied database, so nothing may be refitted
    # (a refit would rewrite the file and cost seconds in every test).
    assert index_file.stat().st_ino == copied, "the index was rebuilt instead of reused"
    yield svc
    svc.close()


@pytest.fixture
def bare_service(settings: Settings, db: Database) -> Iterator[PaperService]:
    """A started PaperService on an empty database (no demo corpus, no index)."""
    svc = PaperService(settings, db)
    svc.start(seed=False)
    yield svc
    svc.close()


# -- ingestion over HTTP -------------------------------------------------------


@pytest.fixture
def server() -> Iterator[FaultServer]:
    srv = FaultServer()
    yield srv
    srv.close()


@pytest.fixture
def client() -> Iterator[PoliteClient]:
    c = make_client()
    yield c
    c.close()


@pytest.fixture
def ingest_settings(settings: Settings, server: FaultServer) -> Settings:
    """The test settings with every source pointed at the fault server."""
    return settings.model_copy(update={
        "arxiv_rss_url": server.url("/rss/"),
        "arxiv_api_url": server.url("/api/query"),
        "arxiv_oai_url": server.url("/oai"),
        "hf_api_url": server.url("/api/daily_papers"),
    })
