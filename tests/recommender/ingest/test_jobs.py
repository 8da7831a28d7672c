"""The ingestion jobs the CLI and the scheduler run: clients that obey the terms, arXiv's day, stored versions."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from recommender.config import Settings
from recommender.ingest.jobs import (
    arxiv_today,
    make_clients,
    run_file,
    stored_versions,
)


def test_clients_from_settings_obey_the_terms() -> None:
    settings = Settings(_env_file=None, arxiv_min_interval=3.0, http_timeout=30.0, contact_email="me@example.org")
    clients, again = make_clients(settings), make_clients(settings)
    try:
        assert clients.arxiv.pacer.interval >= 3.0 and clients.arxiv.policy.timeout == 30.0
        assert clients.arxiv.pacer is again.arxiv.pacer  # one budget for every arXiv call in the process
        assert "mailto:me@example.org" in clients.arxiv._http.headers["User-Agent"]
    finally:
        clients.close()
        again.close()
    with pytest.raises(ValueError):
        Settings(_env_file=None, arxiv_min_interval=1.0)  # faster than arXiv's terms allow


def test_arxivs_today_is_new_yorks_date() -> None:
    assert arxiv_today(datetime(2026, 4, 28, 3, 30, tzinfo=timezone.utc)) == date(2026, 4, 27)
    assert arxiv_today(datetime(2026, 4, 28, 4, 30, tzinfo=timezone.utc)) == date(2026, 4, 28)


def test_stored_versions_look_up_what_the_daily_listing_compares_against(db, tmp_path) -> None:
    path = tmp_path / "papers.jsonl"
    path.write_text('{"id": "2401.00001v3", "title": "Graph neural networks"}\n'
                    '{"id": "2401.00002", "title": "Speech recognition"}\n', encoding="utf-8")
    assert run_file(db, path).new == 2
    lookup = stored_versions(db)
    assert lookup(["2401.00001", "2401.00002", "2401.99999"]) == {"2401.00001": 3, "2401.00002": None}
