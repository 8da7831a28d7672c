"""The reading list as a file: BibTeX (bibtexparser), RIS (rispy), Markdown or CSV."""

from __future__ import annotations

import csv
import io
import re
import unicodedata

import bibtexparser
import rispy
from bibtexparser.model import Entry, Field

from bot.formatting import plain_title
from recommender.errors import PaperbotError
from recommender.papers import is_arxiv_id
from recommender.views import ReadingItem

FORMATS = {"bibtex": "BibTeX", "markdown": "Markdown", "csv": "CSV", "ris": "RIS"}
SUFFIX = {"bibtex": "bib", "markdown": "md", "csv": "csv", "ris": "ris"}
FILENAME = "paperbot-reading-list"


UPLOAD_MAX = 8 * 1024 * 1024  # under Discord's 10 MiB per message, with room for the request around it


def export(items: list[ReadingItem], fmt: str, limit: int = UPLOAD_MAX) -> tuple[str, bytes]:
    """(file name, UTF-8 bytes) of the reading list in one of FORMATS; abstracts are left out
    when the file would not fit in a Discord upload, and a list too long even so is refused."""
    writer = {"bibtex": bibtex, "markdown": markdown, "csv": as_csv, "ris": ris}[fmt]
    data = writer(items).encode("utf-8")
    if len(data) > limit:
        data = writer(items, abstracts=False).encode("utf-8")
    if len(data) > limit:
        raise PaperbotError(f"Your reading list ({len(items):,} papers) is too long for one file on Discord; "
                            "remove some papers or use `paperbot` on the host.")
    return f"{FILENAME}.{SUFFIX[fmt]}", data


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def cite_key(item: ReadingItem, taken: set[str]) -> str:
    """`vaswani2017attention`: first author's surname, year, first long title word; unique in the file."""
    paper = item.paper
    surname = paper.authors[0].split()[-1] if paper.authors and paper.authors[0].split() else "anon"
    words = [w for w in re.findall(r"[a-z0-9]+", _ascii(plain_title(paper.title)).lower()) if len(w) > 3]
    base = re.sub(r"[^a-z0-9]", "", _ascii(surname).lower()) or "anon"
    base += str(paper.published.year) if paper.published else ""
    base += words[0] if words else ""
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}{chr(ord('a') + n - 2)}" if n <= 27 else f"{base}{n}"
    taken.add(key)
    return key


def _braced(text: str) -> str:
    """A BibTeX value: braces balanced (unbalanced ones dropped), so the file always parses."""
    depth, out = 0, []
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0:
                continue
            depth -= 1
        out.append(ch)
    return "".join(out) + "}" * depth


_TEX_SPECIAL = re.compile(r"([&%$#_])")


def _tex(text: str) -> str:
    """Plain text (a title, names) for LaTeX: its special characters escaped, braces balanced."""
    return _braced(_TEX_SPECIAL.sub(r"\\\1", text))


def bibtex(items: list[ReadingItem], abstracts: bool = True) -> str:
    library = bibtexparser.Library()
    taken: set[str] = set()
    for item in items:
        paper = item.paper
        # The writer encloses each value in braces; the title gets a second pair, which keeps its capitals.
        fields = [Field("title", "{" + _tex(plain_title(paper.title)) + "}"),
                  Field("author", _tex(" and ".join(paper.authors) or "Unknown"))]
        if paper.published:
            fields += [Field("year", str(paper.published.year)), Field("month", paper.published.strftime("%b").lower())]
        if is_arxiv_id(paper.id):
            fields += [Field("eprint", paper.id), Field("archiveprefix", "arXiv")]
            if paper.categories:
                fields.append(Field("primaryclass", paper.categories[0]))
        if paper.url:
            fields.append(Field("url", paper.url))
        if paper.abstract and abstracts:  # arXiv's abstracts are LaTeX source already ($x$ stays maths)
            fields.append(Field("abstract", _braced(paper.abstract)))
        library.add(Entry("misc", cite_key(item, taken), fields))
    return bibtexparser.write_string(library)


def markdown(items: list[ReadingItem], abstracts: bool = False) -> str:  # a checklist: no abstracts
    lines = ["# Reading list", "", f"{len(items)} papers exported from paperbot; [x] marks the ones read.", ""]
    for item in items:
        paper = item.paper
        title = plain_title(paper.title).replace("[", "(").replace("]", ")")
        linked = f"[{title}]({paper.url})" if paper.url else title
        authors = ", ".join(paper.authors[:6]) + (" et al." if len(paper.authors) > 6 else "")
        year = f" ({paper.published.year})" if paper.published else ""
        lines.append(f"- [{'x' if item.read else ' '}] {linked} — {authors or 'Unknown authors'}{year} `{paper.id}`")
    return "\n".join(lines) + "\n"


COLUMNS = ["id", "title", "authors", "published", "categories", "url", "saved", "read"]


def as_csv(items: list[ReadingItem], abstracts: bool = False) -> str:  # one line a paper: no abstracts
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for item in items:
        paper = item.paper
        writer.writerow([
            paper.id, plain_title(paper.title), "; ".join(paper.authors),
            paper.published.isoformat() if paper.published else "", " ".join(paper.categories), paper.url,
            item.added.isoformat(timespec="seconds"), item.read.isoformat(timespec="seconds") if item.read else "",
        ])
    return out.getvalue()


def ris(items: list[ReadingItem], abstracts: bool = True) -> str:
    entries = []
    for item in items:
        paper = item.paper
        entry: dict[str, object] = {"type_of_reference": "UNPB", "title": plain_title(paper.title),
                                    "authors": list(paper.authors) or ["Unknown"], "id": paper.id}
        if paper.published:
            entry["year"] = str(paper.published.year)
            entry["date"] = paper.published.strftime("%Y/%m/%d")
        if paper.url:
            entry["urls"] = [paper.url]
        if paper.abstract and abstracts:
            entry["abstract"] = " ".join(paper.abstract.split())
        if paper.categories:
            entry["keywords"] = list(paper.categories)
        notes = [f"arXiv:{paper.id}"] if is_arxiv_id(paper.id) else []
        if item.read:
            notes.append("read")
        if notes:
            entry["notes"] = notes
        entries.append(entry)
    return rispy.dumps(entries)
