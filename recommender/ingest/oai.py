"""OAI-PMH bulk backfill from arXiv (metadata formats `arXiv` and `arXivRaw`).

The date range is harvested in chunks of a few days. After every page the
records and the next resumption token are committed together (a `Checkpoint`),
so an interrupted harvest continues with the page it stopped at. An expired
resumption token (`badResumptionToken`) restarts only the current chunk.
Progress lives in the `state` table under a key naming the whole request, and
is cleared when the harvest completes.

Loop guards: a resumption token the server already gave in this chunk, pages
that bring nothing new (no records, or only records this chunk already had)
several times in a row, and
more pages than `max_pages` stop the harvest with a SourceError that says which;
everything stored before stays, and progress points at the last good page.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from sqlalchemy.orm import Session

from recommender.ingest.errors import BadRecord, SourceError
from recommender.ingest.http import BadPayload, PoliteClient
from recommender.ingest.identity import clean_doi
from recommender.ingest.runner import Checkpoint, Item, RunNotes
from recommender.papers import InvalidPaperId, PaperRecord, split_arxiv_id
from recommender.storage.models import StateEntry

log = logging.getLogger(__name__)
SOURCE = "oai"
FORMATS = ("arXiv", "arXivRaw")
OAI = "{http://www.openarchives.org/OAI/2.0/}"
NS = {"arXiv": "{http://arxiv.org/OAI/arXiv/}", "arXivRaw": "{http://arxiv.org/OAI/arXivRaw/}"}
MAX_RESTARTS = 2  # expired tokens tolerated per chunk before giving up
MAX_EMPTY_PAGES = 5  # pages in a row with a token but nothing new: the server is not moving


class OaiError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


@dataclass
class OaiPage:
    items: list[tuple[str, PaperRecord | BadRecord]] = field(default_factory=list)
    token: str | None = None
    complete_size: int | None = None
    deleted: int = 0


def _text(node: ET.Element | None, tag: str) -> str:
    found = node.find(tag) if node is not None else None
    return (found.text or "").strip() if found is not None else ""


def _arxiv_record(meta: ET.Element) -> PaperRecord:
    ns = NS["arXiv"]
    authors = []
    for author in meta.iterfind(f"{ns}authors/{ns}author"):
        name = " ".join(p for p in (_text(author, f"{ns}forenames"), _text(author, f"{ns}keyname"), _text(author, f"{ns}suffix")) if p)
        if name:
            authors.append(name)
    created, updated = _text(meta, f"{ns}created"), _text(meta, f"{ns}updated")
    return _record(meta, ns, authors, _iso(created), _iso(updated), None)


def _raw_record(meta: ET.Element) -> PaperRecord:
    ns = NS["arXivRaw"]
    versions = []
    for v in meta.iterfind(f"{ns}version"):
        label = (v.get("version") or "").lstrip("v")
        versions.append((int(label) if label.isascii() and label.isdigit() and len(label) <= 9 else 0, _rfc822(_text(v, f"{ns}date"))))
    versions.sort(key=lambda v: v[0])
    authors_text = _text(meta, f"{ns}authors")
    authors = [a.strip() for a in authors_text.replace(", and ", ", ").replace(" and ", ", ").split(",") if a.strip()]
    first = versions[0][1] if versions else None
    last = versions[-1][1] if versions else None
    return _record(meta, ns, authors, first, last if len(versions) > 1 else None, versions[-1][0] if versions else None)


def _record(meta: ET.Element, ns: str, authors: list[str], published: date | None, updated: date | None, version: int | None) -> PaperRecord:
    raw_id = _text(meta, f"{ns}id")
    try:
        pid, id_version = split_arxiv_id(raw_id)
    except InvalidPaperId:
        raise BadRecord(f"id {raw_id[:80]!r} is not an arXiv id") from None
    title = _text(meta, f"{ns}title")
    if not title:
        raise BadRecord(f"{pid}: no title")
    return PaperRecord(
        id=pid, version=version or id_version, title=title, abstract=_text(meta, f"{ns}abstract"),
        authors=authors, categories=_text(meta, f"{ns}categories").split(),
        published=published, updated=updated, doi=clean_doi(_text(meta, f"{ns}doi")), source=SOURCE,
    )


def _iso(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _rfc822(text: str) -> date | None:
    try:
        return parsedate_to_datetime(text).date() if text else None
    except (TypeError, ValueError):
        return None


def parse_page(content: bytes, prefix: str, label: str = "page") -> OaiPage:
    try:
        root = ET.fromstring(content)
    except ET.ParseError as exc:
        raise BadPayload(f"the OAI-PMH response is not well-formed XML ({exc}); truncated?") from None
    if root.tag != f"{OAI}OAI-PMH":
        raise BadPayload(f"the OAI-PMH endpoint returned <{root.tag.split('}')[-1]}> instead of an OAI-PMH response")
    error = root.find(f"{OAI}error")
    if error is not None:
        code = error.get("code", "unknown")
        if code == "noRecordsMatch":
            return OaiPage()
        raise OaiError(code, (error.text or "").strip())
    page = OaiPage()
    listing = root.find(f"{OAI}ListRecords")
    if listing is None:
        raise BadPayload("the OAI-PMH response has no ListRecords")
    parse = _arxiv_record if prefix == "arXiv" else _raw_record
    for n, rec in enumerate(listing.iterfind(f"{OAI}record"), start=1):
        where = f"{label} record {n}"
        header = rec.find(f"{OAI}header")
        if header is not None and header.get("status") == "deleted":
            page.deleted += 1
            continue
        meta = rec.find(f"{OAI}metadata/{NS[prefix]}{prefix}")
        if meta is None:
            page.items.append((where, BadRecord(f"no {prefix} metadata")))
            continue
        try:
            page.items.append((where, parse(meta)))
        except BadRecord as bad:
            page.items.append((where, bad))
    token = listing.find(f"{OAI}resumptionToken")
    if token is not None:
        page.token = (token.text or "").strip() or None
        size = token.get("completeListSize")
        page.complete_size = int(size) if size and size.isascii() and size.isdigit() and len(size) <= 12 else None
    return page


def state_key(prefix: str, set_spec: str | None, start: date, end: date) -> str:
    return f"oai:{prefix}:{set_spec or '*'}:{start.isoformat()}:{end.isoformat()}"


def load_state(session: Session, key: str) -> dict[str, Any]:
    entry = session.get(StateEntry, key)
    return dict(entry.value) if entry is not None else {}


def save_state(session: Session, key: str, value: dict[str, Any] | None) -> None:
    entry = session.get(StateEntry, key)
    if value is None:
        if entry is not None:
            session.delete(entry)
        return
    if entry is None:
        session.add(StateEntry(key=key, value=value))
    else:
        entry.value = value


def chunks(start: date, end: date, days: int) -> Iterator[tuple[date, date]]:
    current = start
    while current <= end:
        last = min(end, current + timedelta(days=days - 1))
        yield current, last
        current = last + timedelta(days=1)


def harvest(
    client: PoliteClient,
    url: str,
    prefix: str,
    set_spec: str | None,
    start: date,
    end: date,
    progress_state: dict[str, Any],
    notes: RunNotes,
    chunk_days: int = 7,
    max_pages: int = 5000,
) -> Iterator[Item]:
    """Yield the records of every page, each page followed by a Checkpoint saving progress."""
    if prefix not in FORMATS:
        raise SourceError(f"unknown OAI-PMH metadata format {prefix!r}; use one of {', '.join(FORMATS)}")
    key = state_key(prefix, set_spec, start, end)
    notes.window = (start, end)
    resume_from = date.fromisoformat(progress_state["chunk"]) if progress_state.get("chunk") else start
    token = progress_state.get("token")
    pages = int(progress_state.get("pages", 0))
    if progress_state:
        notes.params["resumed"] = {"chunk": resume_from.isoformat(), "pages_done": pages}
    restarts_total, pages_now = 0, 0
    for lo, hi in chunks(start, end, chunk_days):
        if hi < resume_from:
            continue
        restarts, empty, tokens, seen = 0, 0, set(), set()
        while True:
            if pages_now >= max_pages:
                raise SourceError(
                    f"OAI-PMH: stopped after {max_pages:,} pages in one run (PAPERBOT_INGEST_MAX_PAGES); "
                    "what was read is kept, run the same command again to continue"
                )
            if token:
                params: dict[str, Any] = {"verb": "ListRecords", "resumptionToken": token}
            else:
                params = {"verb": "ListRecords", "metadataPrefix": prefix, "from": lo.isoformat(), "until": hi.isoformat()}
                if set_spec:
                    params["set"] = set_spec
            label = f"{lo.isoformat()} page {pages + 1}"
            try:
                page = client.get(url, params, lambda body, label=label: parse_page(body, prefix, label))
            except OaiError as exc:
                if exc.code == "badResumptionToken" and token and restarts < MAX_RESTARTS:
                    log.warning("OAI-PMH: resumption token expired; restarting the chunk from %s", lo)
                    restarts += 1
                    restarts_total += 1
                    token, empty = None, 0
                    tokens.clear()
                    seen.clear()
                    continue
                raise SourceError(f"OAI-PMH error {exc}") from None
            pages += 1
            pages_now += 1
            yield from page.items
            if page.token and page.token in tokens:
                raise SourceError(
                    f"OAI-PMH: the server sent the resumption token {page.token[:60]!r} a second time "
                    f"(chunk from {lo.isoformat()}); stopped instead of looping"
                )
            ids = {item.id for _, item in page.items if isinstance(item, PaperRecord)}
            fresh = bool(ids - seen) or page.deleted > 0 or any(isinstance(i, BadRecord) for _, i in page.items)
            seen |= ids
            empty = empty + 1 if page.token and not fresh else 0
            if empty >= MAX_EMPTY_PAGES:
                raise SourceError(
                    f"OAI-PMH: {empty} pages in a row with no new records (chunk from {lo.isoformat()}); "
                    "stopped instead of looping"
                )
            if page.token:
                tokens.add(page.token)
            token = page.token
            if token:
                value = {"chunk": lo.isoformat(), "token": token, "pages": pages}
            else:
                value = {"chunk": (hi + timedelta(days=1)).isoformat(), "token": None, "pages": pages}
            yield Checkpoint(lambda s, v=value: save_state(s, key, v))
            if not token:
                break
    if restarts_total:
        notes.message = f"{restarts_total} expired resumption token(s); the chunk was harvested again"
    notes.params["pages"] = pages
    yield Checkpoint(lambda s: save_state(s, key, None))
