"""arXiv over real HTTP: the export API, query backfill with paging, the daily listing."""

from __future__ import annotations

from datetime import date

import pytest

from recommender.ingest import arxiv_api
from recommender.ingest.errors import SourceError
from recommender.ingest.http import BadPayload
from recommender.ingest.jobs import run_arxiv_query
from recommender.papers import MAX_TITLE
from tests.support.httpserver import Reply, Truncate
from tests.support.sources import (
    API_ENTRIES,
    ATOM,
    api_feed,
    entry_id,
    fixture,
)
from tests.support.stored import papers, runs

ALL_IDS = [entry_id(e) for e in API_ENTRIES]


def pages(entries: list[str], total: int):
    def answer(request):
        start, size = int(request.query["start"]), int(request.query["max_results"])
        return Reply(api_feed(entries[start : start + size], total), content_type=ATOM)
    return answer


def test_real_api_response_parses_fully() -> None:
    page = arxiv_api.parse_api_page(fixture("arxiv-api-query.atom.xml"))
    assert page.total == 364218 and len(page.items) == 20
    first = page.items[0][1]
    assert first.id == "2604.26951" and first.version == 1
    assert first.categories[0] == "cs.CL"  # the primary category comes first
    assert first.published == date(2026, 4, 29) and first.authors[:2] == ["Gongbo Zhang", "Wen Wang"]


def test_legacy_api_format_with_doi_and_old_ids() -> None:
    page = arxiv_api.parse_api_page(fixture("arxiv-api-query-legacy-2016.atom.xml"))
    records = {r.id: r for _, r in page.items}
    assert len(records) == 10 and "cond-mat/0412498" in records
    assert records["1201.4869"].doi == "10.1142/s021797921244002x"
    assert "\n" not in records["1201.4869"].abstract


def test_query_backfill_pages_with_a_repeated_id(db, server, client, ingest_settings) -> None:
    # Page 2 starts with the last entry of page 1 again, as arXiv does when results shift.
    entries = API_ENTRIES[:8] + API_ENTRIES[7:]
    server.route("/api/query", pages(entries, len(entries)))
    report = run_arxiv_query(db, client, ingest_settings, "cat:cs.LG AND abs:diffusion", 50, page_size=8)
    assert set(papers(db)) == set(ALL_IDS)
    assert report.status == "ok" and report.new == 20 and report.unchanged == 1
    starts = [int(h.query["start"]) for h in server.hits("/api/query")]
    assert starts == [0, 8, 16]
    assert server.hits("/api/query")[0].query["search_query"] == "cat:cs.LG AND abs:diffusion"


def test_query_stops_at_max(db, server, client, ingest_settings) -> None:
    server.route("/api/query", pages(API_ENTRIES, 364218))
    report = run_arxiv_query(db, client, ingest_settings, "cat:cs.LG", 10, page_size=4)
    assert report.new == 10 and len(papers(db)) == 10
    assert [int(h.query["max_results"]) for h in server.hits("/api/query")] == [4, 4, 2]


def test_malformed_entry_long_fields_and_odd_unicode(db, server, client, ingest_settings) -> None:
    broken = API_ENTRIES[1].replace("<id>", "<idx>").replace("</id>", "</idx>")  # no id at all
    odd_title = "Ω\u0301 Zero\u200bwidth \u202eRTL\u202c e\u0301 😀 " + "very long title " * 20000
    huge = API_ENTRIES[2]
    start, end = huge.index("<title>") + 7, huge.index("</title>")
    huge = huge[:start] + odd_title + huge[end:]
    huge = huge.replace("<name>", "<name>" + "X" * 5000, 1)
    server.route("/api/query", Reply(api_feed([API_ENTRIES[0], broken, huge, API_ENTRIES[3]]), content_type=ATOM))
    report = run_arxiv_query(db, client, ingest_settings, "all:x", 10)
    stored = papers(db)
    assert set(stored) == {ALL_IDS[0], ALL_IDS[2], ALL_IDS[3]}
    assert report.status == "partial" and report.skipped == 1 and "not an arXiv id" in str(report.problems[0])
    long = stored[ALL_IDS[2]]
    assert len(long.title) <= MAX_TITLE and long.title.startswith("Ώ Zerowidth RTL é 😀 very long")
    assert all(len(a) <= 300 for a in long.authors)


def test_truncated_page_keeps_the_good_pages_and_a_rerun_completes(db, server, client, ingest_settings) -> None:
    good = pages(API_ENTRIES, 20)

    def page_two_cut(request):
        if request.query["start"] == "10":
            return Truncate(api_feed(API_ENTRIES[10:], 20), 3000)
        return good(request)

    server.route("/api/query", page_two_cut)
    with pytest.raises(SourceError, match="gave up after 3 attempts"):
        run_arxiv_query(db, client, ingest_settings, "all:x", 20, page_size=10)
    assert set(papers(db)) == set(ALL_IDS[:10])
    failed = runs(db)[-1]
    assert failed.status == "failed" and failed.empty_reason == "source error" and failed.new == 10

    # The server now answers with well-formed XML that is cut mid-entry (200, right length).
    cut = api_feed(API_ENTRIES[10:], 20).decode()
    server.route("/api/query", lambda r: Reply(cut[:2500].encode()) if r.query["start"] == "10" else good(r))
    with pytest.raises(SourceError, match="not well-formed XML"):
        run_arxiv_query(db, client, ingest_settings, "all:x", 20, page_size=10)
    assert set(papers(db)) == set(ALL_IDS[:10])

    server.route("/api/query", good)
    report = run_arxiv_query(db, client, ingest_settings, "all:x", 20, page_size=10)
    assert set(papers(db)) == set(ALL_IDS) and report.new == 10 and report.unchanged == 10


def test_html_error_page_instead_of_a_feed(db, server, client, ingest_settings) -> None:
    server.route("/api/query", Reply(b"<!DOCTYPE html><html><body><h1>Rate exceeded.</h1></body></html>", content_type="text/html"))
    with pytest.raises(SourceError, match="an HTML page instead of a feed"):
        run_arxiv_query(db, client, ingest_settings, "all:x", 20)
    assert papers(db) == {} and runs(db)[-1].status == "failed"


def test_empty_query_result(db, server, client, ingest_settings) -> None:
    server.route("/api/query", Reply(api_feed([], 0), content_type=ATOM))
    report = run_arxiv_query(db, client, ingest_settings, "all:nothing", 20)
    assert report.status == "empty" and papers(db) == {}





def test_a_server_repeating_the_same_page_is_not_followed_forever(db, server, client, ingest_settings) -> None:
    server.route("/api/query", lambda request: Reply(api_feed(API_ENTRIES[:4], 364218), content_type=ATOM))
    report = run_arxiv_query(db, client, ingest_settings, "cat:cs.LG", 50_000, page_size=4)
    assert report.new == 4 and len(server.hits("/api/query")) == 2
    assert "sent the same papers again at 4 of 364218; stopped" in (report.message or "")


def test_a_response_feedparser_itself_fails_on_is_a_bad_payload() -> None:
    # Found by the fuzzing: a character reference beyond U+10FFFF made feedparser raise ValueError.
    broken = api_feed(API_ENTRIES[:2]).replace(b"<title>", b"<title>&#x110000;", 1)
    with pytest.raises(BadPayload, match=r"could not be read as a feed \(ValueError"):
        arxiv_api.parse_api_page(broken)
