"""BibTeX files, read with bibtexparser v2 (LaTeX accents decoded, names split).

An entry's arXiv id comes from `eprint` (with archivePrefix arXiv), an arxiv.org
URL, or a `journal = {arXiv preprint arXiv:...}` note; otherwise the entry gets
a provisional id from its DOI or title.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import bibtexparser
from bibtexparser import middlewares as mw

from recommender.ingest.errors import BadRecord
from recommender.ingest.identity import clean_doi, provisional_id
from recommender.papers import InvalidPaperId, PaperRecord, split_arxiv_id

_ARXIV_IN_TEXT = re.compile(r"(?:arxiv\.org/(?:abs|pdf)/|arXiv:\s*)([\w.\-/]+?\d)(?:\.pdf)?(?=[\s},;]|$)", re.IGNORECASE)
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
    if not (year.isdigit() and 1000 < int(year) < 3000):
        return None
    month_text = _field(entry, "month").lower()[:3]
    month = _MONTHS.get(month_text) or (int(month_text) if month_text.isdigit() and 1 <= int(month_text) <= 12 else 1)
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


def read_bibtex(text: str, source: str = "file") -> Iterator[tuple[str, PaperRecord | BadRecord]]:
    library = bibtexparser.parse_string(
        text,
        append_middleware=[mw.LatexDecodingMiddleware(), mw.SeparateCoAuthors(), mw.SplitNameParts(), mw.MergeNameParts("first")],
    )
    for block in library.failed_blocks:
        line = getattr(block, "start_line", None)
        where = f"line {line + 1}" if isinstance(line, int) else "entry"
        yield where, BadRecord(f"unreadable BibTeX ({type(block).__name__})")
    for entry in library.entries:
        where = f"line {entry.start_line + 1} @{entry.key}" if entry.start_line is not None else f"@{entry.key}"
        try:
            yield where, entry_record(entry, source)
        except BadRecord as bad:
            yield where, bad
