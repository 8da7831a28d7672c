"""Fixtures for the tests of recommender/: the semantic extra's service."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from recommender.config import Settings
from recommender.service import PaperService
from recommender.storage.db import Database


@pytest.fixture
def semantic_service(settings: Settings, db: Database) -> Iterator[PaperService]:
    """A started PaperService with PAPERBOT_SEMANTIC on, on an empty database (needs the extra)."""
    svc = PaperService(settings.model_copy(update={"semantic": True}), db)
    svc.start(seed=False)
    yield svc
    svc.close()
