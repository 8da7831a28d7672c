"""Fixtures for the tests of recommender/: a small fitted corpus with known subjects, and
the semantic extra's service."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from recommender.config import Settings
from recommender.evaluation.run import Fitted, fit
from recommender.service import PaperService
from recommender.storage.db import Database
from tests.support.ranking import PER_TOPIC
from tests.support.synthetic import topical_cold


@pytest.fixture
def semantic_service(settings: Settings, db: Database) -> Iterator[PaperService]:
    """A started PaperService with PAPERBOT_SEMANTIC on, on an empty database (needs the extra)."""
    svc = PaperService(settings.model_copy(update={"semantic": True}), db)
    svc.start(seed=False)
    yield svc
    svc.close()


@pytest.fixture(scope="session")
def fitted() -> Fitted:
    """The synthetic benchmark's items (PER_TOPIC per subject) with community models fitted on its likes."""
    return fit(topical_cold(per_topic=PER_TOPIC))
