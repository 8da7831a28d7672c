"""Config for the Discord end-to-end tests: fakediscord fixtures and markers.

The bot only talks to `PaperService`, whose storage runs on both backends in
tests/recommender; so here `backend` is SQLite (as in tests/bot), unless a module
imports the both-backends one (`from tests.conftest import backend`: the crash and
restart tests, as what survives those is the database's doing) or parametrises it
indirectly (the PostgreSQL-only fault tests).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# Make `import fakediscord` work in every pytest import mode (importlib mode adds no test dirs to sys.path).
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from fakediscord.pytest_plugin import discord_harness, fakediscord  # noqa: E402,F401 - registers the fixtures

from tests.conftest import PG_ENV, PG_SKIP  # noqa: E402


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """SQLite; or the backend a module parametrises indirectly (PostgreSQL skips without PG_ENV)."""
    name = str(getattr(request, "param", "sqlite"))
    if name == "postgres" and not os.environ.get(PG_ENV):
        pytest.skip(PG_SKIP)
    return name


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: end-to-end tests of the Discord layer against the local emulator")
    config.addinivalue_line("markers", "fakediscord(**kwargs): keyword arguments for the FakeDiscord fixture")
