"""OAI-PMH backfill over real HTTP: both formats, tokens, resuming, expired tokens."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from recommender.ingest import oai
from recommender.ingest.errors import SourceError
from recommender.ingest.jobs import run_oai
from recommender.storage.models import IngestRun, Paper, StateEntry
from tests.support.httpserver import Reply
from tests.support.sources import fixture

PAGE_1 = fixture("arxiv-oai-listrecords.xml")  # 6 records, token 726959|1001
PAGE_2 = fixture("arxiv-oai-listrecords-arxivraw-387.xml")  # 387 records, token 1403493|1001
# The last page: the first page's records again with the empty token OAI-PMH ends a list with.
LAST = PAGE_1.replace(b'<resumptionToken cursor="0" completeListSize="58011">726959|1001</resumptionToken>',
                      b'<resumptionToken cursor="1393" completeListSize="1393"/>')
BAD_TOKEN = (b'<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
             b"<responseDate>2026-05-01T00:00:00Z</responseDate><request verb=\"ListRecords\">http://export.arxiv.org/oai2</request>"
             b'<error code="badResumptionToken">The value of the resumptionToken argument is invalid or expired.</error></OAI-PMH>')
START, END = date(2014, 10, 1), date(2014, 10, 3)


def ids_of(content: bytes) -> set[str]:
    return {r.id for _, r in oai.parse_page(content, "arXivRaw").items}


def stored(db) -> set[str]:
    with db.session() as s:
        return set(s.scalars(select(Paper.id)))


def test_arxivraw_pages_parse() -> None:
    page = oai.parse_page(PAGE_1, "arXivRaw")
    assert page.token == "726959|1001" and page.complete_size == 58011 and len(page.items) == 6
    records = {r.id: r for _, r in page.items}
    lattice = records["0704.0716"]
    assert lattice.version == 4 and lattice.published == date(2007, 4, 5) and lattice.updated == date(2008, 11, 14)
    shetty = records["0704.0471"]
    assert shetty.authors == ["D.V. Shetty", "S.J. Yennello", "G.A. Souliotis"]
    assert shetty.doi == "10.1103/physrevc.76.024606" and shetty.title.startswith("Density dependence of the symmetry")
    big = oai.parse_page(PAGE_2, "arXivRaw")
    assert len(big.items) == 387 and all("  " not in r.title for _, r in big.items)


def test_arxiv_format_parses() -> None:
    page = oai.parse_page(fixture("arxiv-oai-listrecords-arxiv-format.xml"), "arXiv")
    (_, record), = page.items
    assert record.id == "0801.3931" and record.authors == ["T. Manos", "E. Athanassoula"]
    assert record.published == date(2008, 1, 25) and record.doi == "10.1007/978-3-540-75826-6_11"
    assert record.categories == ["astro-ph"] and page.token is None


def token_server(server, second):
    def answer(request):
        token = request.query.get("resumptionToken")
        if token is None:
            return Reply(PAGE_1)
        if token == "726959|1001":
            return second(request) if callable(second) else second
        return Reply(LAST)
    server.route("/oai", answer)


def test_interrupted_harvest_resumes_where_it_stopped(db, server, client, ingest_settings) -> None:
    token_server(server, Reply(b"busy", 503, {"Retry-After": "0"}))
    with pytest.raises(SourceError, match="HTTP 503"):
        run_oai(db, client, ingest_settings, START, END, "arXivRaw", "physics", chunk_days=7)
    assert stored(db) == ids_of(PAGE_1)  # exactly the good page
    with db.session() as s:
        progress = s.get(StateEntry, oai.state_key("arXivRaw", "physics", START, END)).value
    assert progress["token"] == "726959|1001"

    token_server(server, Reply(PAGE_2))
    before = len(server.requests)
    report = run_oai(db, client, ingest_settings, START, END, "arXivRaw", "physics", chunk_days=7)
    resumed = server.requests[before]
    assert resumed.query == {"verb": "ListRecords", "resumptionToken": "726959|1001"}
    assert stored(db) == ids_of(PAGE_1) | ids_of(PAGE_2)
    assert report.status == "ok" and report.new == len(ids_of(PAGE_2)) and report.unchanged == 6
    with db.session() as s:
        assert s.get(StateEntry, oai.state_key("arXivRaw", "physics", START, END)) is None  # done: cleared
        run = s.scalars(select(IngestRun).order_by(IngestRun.id.desc())).first()
        assert (run.window_start, run.window_end) == (START, END)


def test_expired_token_restarts_the_chunk(db, server, client, ingest_settings) -> None:
    calls = {"token": 0}

    def second(request):
        calls["token"] += 1
        return Reply(BAD_TOKEN) if calls["token"] == 1 else Reply(PAGE_2)

    token_server(server, second)
    report = run_oai(db, client, ingest_settings, START, END, "arXivRaw", None)
    starts = [r for r in server.hits("/oai") if "metadataPrefix" in r.query]
    assert len(starts) == 2 and starts[0].query["from"] == "2014-10-01" and starts[0].query["until"] == "2014-10-03"
    assert "expired resumption token" in (report.message or "")
    assert stored(db) == ids_of(PAGE_1) | ids_of(PAGE_2)


def test_chunks_and_no_records_match(db, server, client, ingest_settings) -> None:
    none = BAD_TOKEN.replace(b"badResumptionToken", b"noRecordsMatch")

    def answer(request):
        return Reply(PAGE_1.replace(b"<resumptionToken", b"<ignored").replace(b"</resumptionToken>", b"</ignored>")) \
            if request.query["from"] == "2014-10-01" else Reply(none)

    server.route("/oai", answer)
    report = run_oai(db, client, ingest_settings, date(2014, 10, 1), date(2014, 10, 5), "arXivRaw", None, chunk_days=2)
    froms = [(r.query["from"], r.query["until"]) for r in server.hits("/oai")]
    assert froms == [("2014-10-01", "2014-10-02"), ("2014-10-03", "2014-10-04"), ("2014-10-05", "2014-10-05")]
    assert report.new == 6


@pytest.mark.parametrize("bad", [PAGE_2[:500_000], b"<html><body><h1>502 Bad Gateway</h1></body></html>"])
def test_broken_pages_fail_cleanly(db, server, client, ingest_settings, bad) -> None:
    token_server(server, Reply(bad))
    with pytest.raises(SourceError, match="not well-formed|instead of an OAI-PMH"):
        run_oai(db, client, ingest_settings, START, END, "arXivRaw", None)
    assert stored(db) == ids_of(PAGE_1)


def page_with(token: str | None, records: bool = True) -> bytes:
    """The first real page with another token (None: the last page), or with its records taken out."""
    body = PAGE_1.replace(b"726959|1001", (token or "").encode())
    if not records:
        head, _, rest = body.partition(b"<record>")
        body = head + rest[rest.rindex(b"</record>") + len(b"</record>"):]
    return body


def test_a_repeating_resumption_token_stops_the_harvest(db, server, client, ingest_settings) -> None:
    # The server answers every token with the same token: 20 requests in 60 s and counting, before.
    server.route("/oai", lambda request: Reply(page_with("same|1")))
    with pytest.raises(SourceError, match=r"resumption token 'same\|1' a second time"):
        run_oai(db, client, ingest_settings, START, END, "arXivRaw")
    assert len(server.requests) == 2 and stored(db) == ids_of(PAGE_1)  # what it read is kept


def test_pages_without_records_and_a_page_limit_stop_the_harvest(db, server, client, ingest_settings) -> None:
    server.route("/oai", lambda request: Reply(page_with(f"t{len(server.requests)}", records=False)))
    with pytest.raises(SourceError, match="5 pages in a row with no new records"):
        run_oai(db, client, ingest_settings, START, END, "arXivRaw", restart=True)
    assert len(server.requests) == 5
    server.route("/oai", lambda request: Reply(page_with(f"t{len(server.requests)}")))  # the same records, new tokens
    with pytest.raises(SourceError, match="5 pages in a row with no new records"):
        run_oai(db, client, ingest_settings, START, END, "arXivRaw", restart=True)
    assert len(server.requests) == 11  # the first page, then five that repeat it
    with pytest.raises(SourceError, match=r"stopped after 3 pages in one run \(PAPERBOT_INGEST_MAX_PAGES\)"):
        run_oai(db, client, ingest_settings.model_copy(update={"ingest_max_pages": 3}), START, END, "arXivRaw",
                restart=True)
    assert stored(db) == ids_of(PAGE_1)
