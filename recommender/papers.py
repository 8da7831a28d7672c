"""The paper record every source produces, and arXiv id handling."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

_NEW_ID = re.compile(r"(?P<base>\d{4}\.\d{4,5})(?:v(?P<v>\d+))?$")
_OLD_ID = re.compile(r"(?P<base>[a-z][a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v(?P<v>\d+))?$")
_PREFIXES = re.compile(
    r"^(?:https?://(?:export\.|www\.)?arxiv\.org/(?:abs|pdf|html)/|oai:arxiv\.org:|arxiv:)",
    re.IGNORECASE,
)

# Whitespace characters of category C (other than \n and \t) that clean_text drops.
_C_SPACES = re.compile("[\x0b\x0c\r\x1c-\x1f\x85]")

MAX_TITLE = 1000
MAX_ABSTRACT = 20000
MAX_AUTHORS = 500
MAX_AUTHOR_LEN = 300
MAX_CATEGORIES = 20
MAX_CATEGORY_LEN = 32  # papers.primary_category is VARCHAR(32); arXiv's longest is ~20
MAX_DOI_LEN = 255  # papers.doi is VARCHAR(255)


class InvalidPaperId(ValueError):
    """Raised for a string that is not an arXiv identifier."""


def split_arxiv_id(raw: str) -> tuple[str, int | None]:
    """Return (id without version, version or None) for any arXiv id form.

    Accepts "2401.01234v2", "arXiv:2401.01234", "https://arxiv.org/abs/2401.01234v1",
    "oai:arXiv.org:2401.01234", "hep-th/9901001v3" and PDF links.
    """
    text = _PREFIXES.sub("", raw.strip())
    text = text.removesuffix(".pdf").strip("/")
    for pattern in (_NEW_ID, _OLD_ID):
        match = pattern.match(text)
        if match:
            version = match.group("v")
            return match.group("base"), int(version) if version else None
    raise InvalidPaperId(f"{raw!r} is not an arXiv id (expected e.g. 2401.01234 or hep-th/9901001)")


def is_arxiv_id(raw: str) -> bool:
    try:
        split_arxiv_id(raw)
    except InvalidPaperId:
        return False
    return True


def clean_text(value: str, limit: int) -> str:
    """Collapse whitespace, drop control characters, normalise Unicode, cap length."""
    text = unicodedata.normalize("NFC", value)
    collapsed = " ".join(text.split())
    # Fast path (the common case): nothing to drop, so skip the per-character scan.
    if not collapsed.isprintable() or _C_SPACES.search(text):
        text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
        collapsed = " ".join(text.split())
    text = collapsed
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def normalize_title(title: str) -> str:
    """Key for title-based dedupe: lower-case letters and digits only."""
    text = unicodedata.normalize("NFKD", html.unescape(title)).lower()
    # Drop the accents NFKD split off, so "Crème" keys as "creme", not "cre me".
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def arxiv_links(paper_id: str) -> dict[str, str]:
    return {"abs": f"https://arxiv.org/abs/{paper_id}", "pdf": f"https://arxiv.org/pdf/{paper_id}"}


@dataclass(slots=True)
class PaperRecord:
    """One paper as a source delivers it, cleaned and ready to store."""

    id: str
    title: str
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    published: date | None = None
    updated: date | None = None
    version: int | None = None
    doi: str | None = None
    source: str = "file"
    links: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.title = clean_text(self.title, MAX_TITLE)
        self.abstract = clean_text(self.abstract or "", MAX_ABSTRACT)
        self.authors = [clean_text(a, MAX_AUTHOR_LEN) for a in self.authors[:MAX_AUTHORS] if a.strip()]
        seen: dict[str, None] = {}
        for cat in self.categories[:MAX_CATEGORIES]:
            cat = cat.strip()
            if cat and len(cat) <= MAX_CATEGORY_LEN:  # longer is no category, and PostgreSQL would refuse it
                seen.setdefault(cat, None)
        self.categories = list(seen)
        if self.doi:
            self.doi = self.doi.strip().lower() or None
            if self.doi and len(self.doi) > MAX_DOI_LEN:
                self.doi = None
        if not self.links and is_arxiv_id(self.id):
            self.links = arxiv_links(self.id)

    @property
    def primary_category(self) -> str | None:
        return self.categories[0] if self.categories else None
