"""Fixtures of the stores' tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from recommender.config import Settings
from recommender.service import PaperService
from recommender.storage.db import Database


@pytest.fixture
def restart(settings: Settings, db: Database) -> Iterator[Callable[[], PaperService]]:
    """`restart()`: a new PaperService on the same database and data directory (a new process)."""
    opened: list[PaperService] = []

    def new() -> PaperService:
        svc = PaperService(settings, db)
        svc.start()
        opened.append(svc)
        return svc

    yield new
    for svc in opened:
        svc.close()
