"""Fuzzing every importer and feed parser: inputs, and the property each input must keep.

The property, for any input: the import either stores its good records and
reports the bad ones, or refuses the whole input with a `SourceError` (the feed
parsers: `BadPayload`/`OaiError`, what the HTTP client retries or reports); it
never raises anything else, finishes within `TIME_BOUND`, the database then
holds exactly the good records (none lost, no junk, the database never refuses
one), and a re-run changes nothing.

The bases of the mutations are the real fixtures in tests/fixtures (the CSV and
BibTeX bases are built below from the real JSON Lines records, visibly).
"""

from __future__ import annotations

import codecs
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from sqlalchemy import delete, select

from recommender.ingest import arxiv_api, arxiv_listing, hf, oai
from recommender.ingest.errors import BadRecord, SourceError
from recommender.ingest.files import read_file
from recommender.ingest.http import BadPayload
from recommender.ingest.identity import title_key
from recommender.ingest.jobs import run_file
from recommender.ingest.runner import IngestReport, Item, ingest
from recommender.ingest.store import Entry
from recommender.papers import PaperRecord
from recommender.storage.db import Database
from recommender.storage.models import Base, Paper
from tests.support.sources import API_ENTRIES, FIXTURES, api_feed, fixture

TIME_BOUND = 60.0  # seconds for one input, import and re-run: a hang guard (a quadratic path or a loop is far above)
DAY = date(2026, 6, 12)

# -- the bases: real records ---------------------------------------------------

JSONL_LINES = (FIXTURES / "arxiv-sample-hf-overlap.jsonl").read_text(encoding="utf-8").splitlines()[:5]
RECORDS = [json.loads(line) for line in JSONL_LINES]


def _csv_base() -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "title", "abstract", "authors", "categories", "published"])
    for r in RECORDS:
        writer.writerow([r["id"], r["title"], r["abstract"][:300], "; ".join(r["authors"][:3]),
                         " ".join(r["categories"]), r["published"]])
    return out.getvalue().encode("utf-8")


def _bibtex_base() -> bytes:
    entries = []
    for n, r in enumerate(RECORDS):
        authors = " and ".join(r["authors"][:3])
        entries.append(
            f"@article{{key{n},\n  title = {{{r['title']}}},\n  author = {{{authors}}},\n"
            f"  abstract = {{{r['abstract'][:300]}}},\n  eprint = {{{r['id']}}},\n  archivePrefix = {{arXiv}},\n"
            f"  year = {{{r['published'][:4]}}},\n}}\n"
        )
    return "\n".join(entries).encode("utf-8")


FILE_BASES = {
    "jsonl": ("\n".join(JSONL_LINES) + "\n").encode("utf-8"),
    "csv": _csv_base(),
    "bibtex": _bibtex_base(),
}
SUFFIX = {"jsonl": ".jsonl", "csv": ".csv", "bibtex": ".bib"}
FEED_BASES = {
    "oai": fixture("arxiv-oai-listrecords.xml"),
    "api": api_feed(API_ENTRIES[:3]),
    "rss": fixture("arxiv-rss-cs.AI.xml"),
    "hf": json.dumps(json.loads(fixture("hf-daily-papers.json"))[:3]).encode("utf-8"),
}

# -- inputs --------------------------------------------------------------------

TOKENS = [
    b"\x00", b"\\u0000", b"[" * 3000, b"{" * 40, b'"', b"\\", b"\r\n", b"\n", b",", b";", b"=", b"#", b"%",
    codecs.BOM_UTF8, codecs.BOM_UTF16_LE, b"99999999999999999999", b"v12345678901234567890", b"9999-12-31",
    b"<", b">", b"&amp;", b"&#0;", b"&#x110000;", b"]]>", b"<![CDATA[", b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]>",
    b"@article{x,", b"@string{s = {S}}", b"}", b"{", b"\\'e", b"$\\alpha$", b"\\begin{", b"\xe9", "é".encode(),
    b"\xed\xa0\x80", b"\xff\xfe", b"\xf0\x9f\x98\x80", b"\x7f", b"\x1b[31m", b"title", b"id", b"null", b"true",
    b"-1", b"1e999", b"9" * 5000, b"x" * 5000, b"2401.01234", b"hep-th/9901001v3", b"doi:", b"10.1000/x",
]
_payload = st.one_of(st.sampled_from(TOKENS), st.binary(max_size=12))
_ops = st.lists(
    st.tuples(st.sampled_from(["insert", "replace", "delete", "dup", "truncate"]), st.floats(0, 1), st.integers(1, 200),
              _payload),
    min_size=1, max_size=6,
)


def mutate(base: bytes, ops: Iterable[tuple[str, float, int, bytes]]) -> bytes:
    data = bytearray(base)
    for op, where, size, payload in ops:
        at = int(where * len(data))
        if op == "insert":
            data[at:at] = payload
        elif op == "replace":
            data[at : at + len(payload)] = payload
        elif op == "delete":
            del data[at : at + size]
        elif op == "dup":
            data[at:at] = data[at : at + size]
        else:
            del data[at:]
    return bytes(data)


def inputs(base: bytes) -> st.SearchStrategy[bytes]:
    """Any byte string, any text, or a mutation of the real fixture `base`."""
    return st.one_of(
        st.binary(max_size=2000),
        st.text(max_size=500).map(lambda t: t.encode("utf-8", "surrogatepass")),
        _ops.map(lambda ops: mutate(base, ops)),
    )


# -- the property ----------------------------------------------------------------


@dataclass
class Stats:
    tried: int = 0
    crashes: int = 0
    lost: int = 0
    good: int = 0
    bad: int = 0
    refused: int = 0  # whole inputs refused with a clear error
    slowest: float = 0.0
    failures: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"inputs tried {self.tried:,}, crashes {self.crashes}, records lost {self.lost}, good records "
                f"{self.good:,}, bad records reported {self.bad:,}, inputs refused whole {self.refused:,}, "
                f"slowest {self.slowest:.2f} s")


STATS = Stats()


def wipe(db: Database) -> None:
    """Every row of every table (one database serves all examples of a test)."""
    with db.session() as s:
        for table in reversed(Base.metadata.sorted_tables):
            s.execute(delete(table))


def stored(db: Database) -> dict[str, tuple[str | None, str]]:
    with db.session() as s:
        return {pid: (doi, key) for pid, doi, key in s.execute(select(Paper.id, Paper.doi, Paper.title_key))}


def lost_records(good: list[PaperRecord], rows: dict[str, tuple[str | None, str]]) -> list[str]:
    """Good records that are neither stored under their id nor merged into a stored paper (same DOI or title)."""
    dois = {doi for doi, _ in rows.values() if doi}
    keys = {key for _, key in rows.values()}
    return [r.id for r in good if r.id not in rows and r.doi not in dois and title_key(r.title) not in keys]


def _check(db: Database, good: list[PaperRecord], report: IngestReport | None, items: int) -> None:
    rows = stored(db)
    lost = lost_records(good, rows)
    STATS.lost += len(lost)
    assert not lost, f"good records lost: {lost}"
    assert set(rows) <= {r.id for r in good}, f"stored what no good record was: {set(rows) - {r.id for r in good}}"
    if report is not None:
        refused = [str(p) for p in report.problems if "database refused" in p.message]
        assert not refused, f"the database refused records that passed validation: {refused}"
        assert report.new == len(rows)
        assert report.new + report.updated + report.unchanged + report.skipped == items


def check_file(db: Database, folder: Path, fmt: str, data: bytes) -> None:
    """The property for one file: good records land, bad ones are reported, a re-run changes nothing."""
    STATS.tried += 1
    wipe(db)
    path = folder / f"input{SUFFIX[fmt]}"
    path.write_bytes(data)
    started = time.perf_counter()
    items: list[Item] = []
    try:
        items.extend(read_file(path, fmt))
    except SourceError:
        pass
    good = [i[1] for i in items if isinstance(i, tuple) and isinstance(i[1], PaperRecord)]
    report = None
    try:
        report = run_file(db, path, fmt)
    except SourceError as exc:
        STATS.refused += 1
        assert str(exc).strip(), "an empty error message"
    _check(db, good, report, len(items))
    before = stored(db)
    try:
        again = run_file(db, path, fmt)
        assert again.new == 0 and again.updated == 0, "a re-run changed the library"
    except SourceError:
        pass
    assert stored(db) == before
    took = time.perf_counter() - started
    STATS.slowest = max(STATS.slowest, took)
    assert took < TIME_BOUND, f"{took:.1f} s for one input"
    STATS.good += len(good)
    STATS.bad += len(items) - len(good)


def feed_items(kind: str, data: bytes) -> list[tuple[str, PaperRecord | Entry | BadRecord]]:
    """What a feed parser makes of a response; BadPayload/OaiError/SourceError when it refuses it whole."""
    if kind == "oai":
        return list(oai.parse_page(data, "arXivRaw").items)
    if kind == "api":
        return list(arxiv_api.parse_api_page(data).items)
    if kind == "rss":
        listing = arxiv_listing.parse_listing(data)
        return [*listing.problems, *((f"listing {p.id}", Entry(p.record)) for p in listing.papers)]
    out: list[tuple[str, PaperRecord | Entry | BadRecord]] = []
    for n, item in enumerate(hf.parse_daily(data), start=1):
        deep = hf._too_deep(item, hf.MAX_DEPTH)
        try:
            out.append((f"item {n}", deep or hf.item_entry(item, DAY)))
        except BadRecord as bad:
            out.append((f"item {n}", bad))
    return out


def check_feed(db: Database, kind: str, data: bytes) -> None:
    STATS.tried += 1
    wipe(db)
    started = time.perf_counter()
    try:
        items = feed_items(kind, data)
    except (BadPayload, oai.OaiError, SourceError) as exc:
        STATS.refused += 1
        assert str(exc).strip()
        return
    good: list[Any] = [i.record if isinstance(i, Entry) else i for _, i in items if not isinstance(i, BadRecord)]
    report = ingest(db, kind, items)
    _check(db, good, report, len(items))
    again = ingest(db, kind, items)
    assert again.new == 0 and again.updated == 0
    took = time.perf_counter() - started
    STATS.slowest = max(STATS.slowest, took)
    assert took < TIME_BOUND, f"{took:.1f} s for one response"
    STATS.good += len(good)
    STATS.bad += len(items) - len(good)
