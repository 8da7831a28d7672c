"""Hugging Face Daily Papers over real HTTP: upvotes, and one paper across two sources."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from recommender.ingest.errors import SourceError
from recommender.ingest.jobs import run_file, run_hf
from recommender.storage.models import PaperSource
from tests.support.httpserver import Reply, Truncate
from tests.support.sources import FIXTURES, fixture
from tests.support.stored import papers

HF = fixture("hf-daily-papers.json")
HF_IDS = {item["paper"]["id"] for item in json.loads(HF)}
DAY = date(2026, 6, 12)


def hf_rows(db) -> dict[str, PaperSource]:
    with db.session() as s:
        return {p.paper_id: p for p in s.scalars(select(PaperSource).where(PaperSource.source == "hf"))}


def test_daily_papers_with_upvotes(db, server, client, ingest_settings) -> None:
    server.route("/api/daily_papers", Reply(HF, content_type="application/json"))
    report = run_hf(db, client, ingest_settings, [DAY])
    assert report.new == 30 and set(papers(db)) == HF_IDS
    rows = hf_rows(db)
    assert rows["2606.13681"].upvotes == 118 and rows["2606.13681"].listed_on == DAY
    assert server.hits("/api/daily_papers")[0].query == {"date": "2026-06-12"}


def test_one_paper_from_two_sources(db, server, client, ingest_settings) -> None:
    # 21 of the 30 papers are in the arXiv corpus; import those first, as arXiv data.
    run_file(db, FIXTURES / "arxiv-sample-hf-overlap.jsonl")
    before = papers(db)
    server.route("/api/daily_papers", Reply(HF, content_type="application/json"))
    report = run_hf(db, client, ingest_settings, [DAY])
    after = papers(db)
    assert len(after) == 30 and report.new == 9
    for pid, paper in before.items():  # arXiv's text and categories stay
        assert (after[pid].title, after[pid].abstract, after[pid].categories) == (paper.title, paper.abstract, paper.categories)
    assert set(hf_rows(db)) == HF_IDS

    # The next day the same list has more upvotes: only the signal changes.
    data = json.loads(HF)
    for item in data:
        item["paper"]["upvotes"] += 5
    server.route("/api/daily_papers", Reply(json.dumps(data).encode(), content_type="application/json"))
    again = run_hf(db, client, ingest_settings, [DAY])
    assert again.new == 0 and again.updated == 0
    assert hf_rows(db)["2606.13681"].upvotes == 123 and len(papers(db)) == 30


def test_truncated_day_keeps_the_good_day_and_a_rerun_completes(db, server, client, ingest_settings) -> None:
    other = json.loads(HF)[:5]
    for n, item in enumerate(other):
        item["paper"]["id"] = f"2606.9000{n}"
    other_body = json.dumps(other).encode()

    def answer(request):
        return Reply(HF) if request.query["date"] == "2026-06-12" else Truncate(other_body, 400)

    server.route("/api/daily_papers", answer)
    with pytest.raises(SourceError):
        run_hf(db, client, ingest_settings, [DAY, date(2026, 6, 13)])
    assert set(papers(db)) == HF_IDS
    server.route("/api/daily_papers", lambda r: Reply(HF if r.query["date"] == "2026-06-12" else other_body))
    report = run_hf(db, client, ingest_settings, [DAY, date(2026, 6, 13)])
    assert report.new == 5 and len(papers(db)) == 35


def test_malformed_items_are_skipped(db, server, client, ingest_settings) -> None:
    data = json.loads(HF)[:3] + [{"paper": {"id": "not-an-id", "title": "x"}}, "junk"]
    server.route("/api/daily_papers", Reply(json.dumps(data).encode()))
    report = run_hf(db, client, ingest_settings, [DAY])
    assert report.new == 3 and report.skipped == 2 and report.status == "partial"


def test_html_instead_of_json(db, server, client, ingest_settings) -> None:
    server.route("/api/daily_papers", Reply(b"<!doctype html><html>down</html>", content_type="text/html"))
    with pytest.raises(SourceError, match="HTML page"):
        run_hf(db, client, ingest_settings, [DAY])




def test_deep_json_is_refused_per_item_or_per_response(db, server, client, ingest_settings) -> None:
    items = json.loads(HF)
    items[0]["paper"]["ai_keywords"] = json.loads("[" * 40 + "]" * 40)  # deeper than 32, within Python's reach
    server.route("/api/daily_papers", Reply(json.dumps(items).encode(), content_type="application/json"))
    report = run_hf(db, client, ingest_settings, [DAY])
    assert report.new == 29 and report.skipped == 1
    assert str(report.problems[0]) == "2026-06-12 item 1: nested deeper than 32 levels (PAPERBOT_INGEST_MAX_DEPTH)"
    server.route("/api/daily_papers", Reply(b"[" * 100_000 + b"]" * 100_000, content_type="application/json"))
    with pytest.raises(SourceError, match="nested deeper than 32 levels"):
        run_hf(db, client, ingest_settings, [DAY])
    assert len(papers(db)) == 29
