"""Fixtures for the ingestion tests: the fault server, fast clients, settings pointed at it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from recommender.config import Settings  # noqa: E402
from recommender.ingest.http import PoliteClient  # noqa: E402
from tests.support.httpserver import FaultServer  # noqa: E402
from tests.support.sources import make_client  # noqa: E402


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
