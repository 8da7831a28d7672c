"""The arXiv daily listing over real HTTP: new papers, replacements, quiet days."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from recommender.ingest.errors import SourceError
from recommender.ingest.jobs import run_arxiv_daily
from recommender.picks.digests import quiet_reason
from recommender.storage.models import IngestRun, PaperSource
from tests.support.httpserver import Reply
from tests.support.sources import (
    API_ENTRIES,
    by_id_list,
    entry_id,
    fixture,
)
from tests.support.stored import papers

RSS_AI = fixture("arxiv-rss-cs.AI.xml")


RSS_IDS = {"2604.21935", "2604.21936", "2604.21937"}


MONDAY = date(2026, 4, 27)  # the listing's announcement day


def test_daily_listing_stores_the_new_papers(db, server, client, ingest_settings) -> None:
    server.route("/rss/cs.AI", Reply(RSS_AI, content_type="application/rss+xml"))
    server.route("/api/query", by_id_list)
    report = run_arxiv_daily(db, client, ingest_settings, ["cs.AI"], today=MONDAY)
    stored = papers(db)
    assert set(stored) == RSS_IDS and report.status == "ok" and report.new == 3
    paper = stored["2604.21935"]
    assert paper.published == MONDAY and paper.categories == ["cs.AI", "cs.LG"]
    assert paper.authors == ["Michael Cooper", "Samuel Cooper"] and paper.abstract.startswith("Although language models")
    asked = set(server.hits("/api/query")[0].query["id_list"].split(","))
    assert asked == RSS_IDS  # full metadata was requested for exactly the new papers
    with db.session() as s:
        listed = s.scalars(select(PaperSource).where(PaperSource.source == "arxiv")).all()
        assert {(p.paper_id, p.listed_on) for p in listed} == {(i, MONDAY) for i in RSS_IDS}
        run = s.scalars(select(IngestRun)).one()
        assert (run.window_start, run.window_end) == (MONDAY, MONDAY)


def test_daily_prefers_the_api_metadata(db, server, client, ingest_settings) -> None:
    # The real listing, with its first paper's id swapped for one the API fixture holds.
    api_id = ALL_IDS[0]
    listing = RSS_AI.replace(b"2604.21935", api_id.encode())
    server.route("/rss/cs.AI", Reply(listing, content_type="application/rss+xml"))
    server.route("/api/query", by_id_list)
    run_arxiv_daily(db, client, ingest_settings, ["cs.AI"], today=MONDAY)
    paper = papers(db)[api_id]
    assert paper.title.startswith("Turning the TIDE") and paper.categories[0] == "cs.CL"
    assert paper.published == MONDAY and paper.updated == date(2026, 4, 29)


def test_replacements_update_stored_papers_only(db, server, client, ingest_settings) -> None:
    server.route("/rss/cs.AI", Reply(RSS_AI, content_type="application/rss+xml"))
    server.route("/api/query", by_id_list)
    run_arxiv_daily(db, client, ingest_settings, ["cs.AI"], today=MONDAY)
    # The next day's listing announces a v2 of one stored paper (derived from the real item).
    replaced = (RSS_AI.replace(b"<arxiv:announce_type>new", b"<arxiv:announce_type>replace")
                .replace(b"2604.21935v1", b"2604.21935v2").replace(b"Math Takes Two:", b"Math Takes Two (revised):")
                .replace(b"2604.21936", b"2604.99999").replace(b"27 Apr 2026", b"28 Apr 2026"))
    server.route("/rss/cs.AI", Reply(replaced, content_type="application/rss+xml"))
    report = run_arxiv_daily(db, client, ingest_settings, ["cs.AI"], today=date(2026, 4, 28))
    stored = papers(db)
    assert "2604.99999" not in stored and len(stored) == 3  # unknown replacement ignored
    paper = stored["2604.21935"]
    assert paper.version == 2 and paper.title.startswith("Math Takes Two (revised)")
    assert paper.published == MONDAY  # the first announcement date stays
    assert report.updated == 1 and report.new == 0


@pytest.mark.parametrize(("today", "reason"), [(date(2026, 5, 2), "weekend"), (date(2026, 5, 25), "arXiv holiday")])
def test_a_quiet_day_records_why(db, server, client, ingest_settings, today, reason) -> None:
    # arXiv's feed on a day without announcement: the channel, no items.
    text = RSS_AI.decode()
    empty = text[: text.index("<item>")] + "</channel>\n</rss>"
    server.route("/rss/cs.AI", Reply(empty.encode(), content_type="application/rss+xml"))
    report = run_arxiv_daily(db, client, ingest_settings, ["cs.AI"], today=today)
    assert report.status == "empty" and report.empty_reason == reason
    assert server.hits("/api/query") == []
    with db.session() as s:
        assert quiet_reason(s) == reason


def test_a_stale_listing_on_a_weekday_is_a_holiday(db, server, client, ingest_settings) -> None:
    server.route("/rss/cs.AI", Reply(RSS_AI, content_type="application/rss+xml"))
    server.route("/api/query", by_id_list)
    run_arxiv_daily(db, client, ingest_settings, ["cs.AI"], today=MONDAY)
    report = run_arxiv_daily(db, client, ingest_settings, ["cs.AI"], today=date(2026, 4, 28))
    assert report.status == "empty" and report.empty_reason == "arXiv holiday" and report.unchanged == 3


def test_listing_failure_is_a_source_error(db, server, client, ingest_settings) -> None:
    server.route("/rss/cs.AI", Reply(b"<html><body>Service Unavailable</body></html>", content_type="text/html"))
    with pytest.raises(SourceError, match="HTML page"):
        run_arxiv_daily(db, client, ingest_settings, ["cs.AI"], today=MONDAY)
    with db.session() as s:
        assert quiet_reason(s) == "source error"
    assert papers(db) == {}


def test_categories_are_requested_together(db, server, client, ingest_settings) -> None:
    server.route("/rss/cs.AI+cs.LG", Reply(RSS_AI, content_type="application/rss+xml"))
    server.route("/api/query", by_id_list)
    run_arxiv_daily(db, client, ingest_settings, ["cs.AI", "cs.LG"], today=MONDAY)
    assert len(server.hits("/rss/cs.AI+cs.LG")) == 1 and len(papers(db)) == 3


ALL_IDS = [entry_id(e) for e in API_ENTRIES]
