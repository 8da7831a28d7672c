"""BibTeX files, read with bibtexparser v2 (LaTeX accents decoded, names split).

bibtexparser's LaTeX decoding takes time that grows faster than a field's
length, so the file is split first and each entry decoded on its own, after
its fields were cut to what a record keeps (a field longer than that is cut,
and noted) and the fields paperbot does not read were dropped.

An entry's arXiv id comes from `eprint` (with archivePrefix arXiv), an arxiv.org
URL, or a `journal = {arXiv preprint arXiv:...}` note; otherwise the entry gets
a provisional id from its DOI or title.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import date

import bibtexparser
from bibtexparser import middlewares as mw
from bibtexparser.library import Library

from recommender.ingest.errors import BadRecord
from recommender.ingest.identity import clean_doi, provisional_id
from recommender.ingest.limits import IngestLimits, within_budget
from recommender.papers import InvalidPaperId, PaperRecord, split_arxiv_id

_ARXIV_IN_TEXT = re.compile(r"(?:arxiv\.org/(?:abs|pdf)/|arXiv:\s*)([\w.\-/]+?\d)(?:\.pdf)?(?=[\s},;]|$)", re.IGNORECASE)
_USED = frozenset({"title", "abstract", "author", "doi", "url", "journal", "note", "eprint", "archiveprefix",
                   "eprinttype", "primaryclass", "year", "month"})
SHORT_FIELD = 2000  # a DOI, URL, journal, note, year ... (characters before decoding)
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}


def _field(entry: bibtexparser.model.Entry, name: str) -> str:
    found = entry.fields_dict.get(name) or entry.fields_dict.get(name.upper()) or entry.fields_dict.get(name.capitalize())
    value = found.value if found is not None else ""
    if isinstance(value, list):
        return " and ".join(str(v) for v in value)
    return str(value).replace("{", "").replace("}", "").strip()


def _arxiv_id(entry: bibtexparser.model.Entry) -> tuple[str, int | None] | None:
    candidates = []
    if _field(entry, "archiveprefix").lower() == "arxiv" or _field(entry, "eprinttype").lower() == "arxiv":
        candidates.append(_field(entry, "eprint"))
    for name in ("url", "journal", "note", "eprint"):
        candidates += _ARXIV_IN_TEXT.findall(_field(entry, name))
    for raw in candidates:
        try:
            return split_arxiv_id(raw)
        except InvalidPaperId:
            continue
    return None


def _published(entry: bibtexparser.model.Entry) -> date | None:
    year = _field(entry, "year")
    if not (year.isascii() and year.isdigit() and len(year) == 4 and 1000 < int(year) < 3000):
        return None
    month_text = _field(entry, "month").lower()[:3]
    month = _MONTHS.get(month_text) or (int(month_text) if month_text.isascii() and month_text.isdigit() and 1 <= int(month_text) <= 12 else 1)
    return date(int(year), month, 1)


def _authors(entry: bibtexparser.model.Entry) -> list[str]:
    found = entry.fields_dict.get("author")
    if found is None or not isinstance(found.value, list):
        return []
    return [str(name) for name in found.value]


def entry_record(entry: bibtexparser.model.Entry, source: str = "file") -> PaperRecord:
    title = _field(entry, "title")
    if not title:
        raise BadRecord(f"@{entry.entry_type}{{{entry.key}}}: no title")
    doi = clean_doi(_field(entry, "doi"))
    found = _arxiv_id(entry)
    pid, version = found if found else (provisional_id(doi, title), None)
    keywords = _field(entry, "primaryclass")
    return PaperRecord(
        id=pid, version=version, title=title, abstract=_field(entry, "abstract"), authors=_authors(entry),
        categories=[keywords] if keywords else [], published=_published(entry), doi=doi, source=source,
    )


def _caps(limits: IngestLimits) -> dict[str, int]:
    """Characters of each field kept before decoding (LaTeX markup shrinks as it is decoded)."""
    rec = limits.record
    return {"title": 2 * rec.title, "abstract": 2 * rec.abstract, "author": 2 * rec.authors * rec.author}


def _trim(entry: bibtexparser.model.Entry, caps: dict[str, int]) -> list[str]:
    """Drop the fields paperbot does not read and cut the rest to their caps; what was cut."""
    notes = []
    for fld in list(entry.fields):
        name = fld.key.lower()
        if name not in _USED:
            entry.pop(fld.key)
            continue
        cap = caps.get(name, SHORT_FIELD)
        if isinstance(fld.value, str) and len(fld.value) > cap:
            notes.append(f"{name} cut from {len(fld.value):,} to {cap:,} characters before decoding")
            fld.value = fld.value[:cap]
    return notes


def _decode(entry: bibtexparser.model.Entry) -> bibtexparser.model.Entry:
    library = Library([entry])
    for middleware in (mw.LatexDecodingMiddleware(), mw.SeparateCoAuthors(), mw.SplitNameParts(), mw.MergeNameParts("first")):
        library = middleware.transform(library)
    if not library.entries:  # a middleware turned it into a failed block (e.g. names it cannot split)
        failed = library.failed_blocks[0] if library.failed_blocks else None
        raise BadRecord(f"unreadable BibTeX ({type(failed).__name__ if failed else 'no entry'})")
    return library.entries[0]


def read_bibtex(
    text: str, source: str = "file", limits: IngestLimits | None = None
) -> Iterator[tuple[str, PaperRecord | BadRecord]]:
    limits = limits or IngestLimits()
    caps = _caps(limits)
    library = bibtexparser.parse_string(text)
    for block in library.failed_blocks:
        line = getattr(block, "start_line", None)
        where = f"line {line + 1}" if isinstance(line, int) else "entry"
        yield where, BadRecord(f"unreadable BibTeX ({type(block).__name__})")
    for entry in library.entries:
        where = f"line {entry.start_line + 1} @{entry.key[:80]}" if entry.start_line is not None else f"@{entry.key[:80]}"
        started = time.perf_counter()
        try:
            notes = _trim(entry, caps)
            record = entry_record(_decode(entry), source)
            record.notes[:0] = notes
            yield where, within_budget(record, started, limits)
        except BadRecord as bad:
            yield where, bad
