"""The paper record every source produces, validated in one place, and arXiv id handling.

`PaperRecord` is the one pydantic model every source (files, the arXiv API,
listing and OAI-PMH, Hugging Face) builds its papers with. It refuses what
cannot be a paper (no title, a bad id, an impossible version or date, text
that is not valid Unicode) with a `BadRecord` whose message says why, and
cleans the rest: control characters and NULs stripped, whitespace collapsed,
Unicode normalised, absurd sizes cut to `RecordLimits` (each cut noted in
`notes`, which the ingestion report shows).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

_NEW_ID = re.compile(r"(?P<base>\d{4}\.\d{4,5})(?:v(?P<v>\d+))?$")
_OLD_ID = re.compile(r"(?P<base>[a-z][a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v(?P<v>\d+))?$")
_PREFIXES = re.compile(
    r"^(?:https?://(?:export\.|www\.)?arxiv\.org/(?:abs|pdf|html)/|oai:arxiv\.org:|arxiv:)",
    re.IGNORECASE,
)

# Whitespace characters of category C (other than \n and \t) that clean_text drops.
_C_SPACES = re.compile("[\x0b\x0c\r\x1c-\x1f\x85]")
# What a decoder's surrogateescape left for bytes that were not valid in the file's encoding.
_UNDECODABLE = re.compile("[\udc80-\udcff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")

MAX_TITLE = 1000
MAX_ABSTRACT = 20000
MAX_AUTHORS = 500
MAX_AUTHOR_LEN = 300
MAX_CATEGORIES = 20
MAX_CATEGORY_LEN = 32  # papers.primary_category is VARCHAR(32); arXiv's longest is ~20
MAX_DOI_LEN = 255  # papers.doi is VARCHAR(255)
MAX_ID_LEN = 64  # papers.id is VARCHAR(64)
MAX_VERSION = 1000  # arXiv's most revised papers have a few dozen versions
MAX_LINK_LEN = 2000
EARLIEST = date(1000, 1, 1)
FUTURE_DAYS = 30  # a date further ahead than this is a typo (and would make everything else look old)
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:/_-")


class InvalidPaperId(ValueError):
    """Raised for a string that is not an arXiv identifier."""


class BadRecord(ValueError):
    """One input record that cannot be used; the message says why."""


@dataclass(frozen=True)
class RecordLimits:
    """How much of each field a record keeps (longer is cut, and the cut noted)."""

    title: int = MAX_TITLE
    abstract: int = MAX_ABSTRACT
    authors: int = MAX_AUTHORS
    author: int = MAX_AUTHOR_LEN


_limits: ContextVar[RecordLimits] = ContextVar("record_limits", default=RecordLimits())


@contextmanager
def record_limits(limits: RecordLimits) -> Iterator[None]:
    """Records built inside this block (in this thread or task) use `limits`."""
    token = _limits.set(limits)
    try:
        yield
    finally:
        _limits.reset(token)


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
            if version is None:
                return match.group("base"), None
            if len(version) > len(str(MAX_VERSION)) or not 1 <= int(version) <= MAX_VERSION:
                shown = version if len(version) <= 24 else version[:20] + "…"
                raise InvalidPaperId(f"{match.group('base')}: version v{shown} is not a real arXiv version (1 to {MAX_VERSION})")
            return match.group("base"), int(version)
    shown = raw if len(raw) <= 80 else raw[:80] + "…"
    raise InvalidPaperId(f"{shown!r} is not an arXiv id (expected e.g. 2401.01234 or hep-th/9901001)")


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


def strip_controls(value: str) -> str:
    """`value` without control characters (NULs included) and surrounding whitespace."""
    return _CONTROL.sub("", value).strip()


def normalize_title(title: str) -> str:
    """Key for title-based dedupe: lower-case letters and digits only."""
    text = unicodedata.normalize("NFKD", html.unescape(title)).lower()
    # Drop the accents NFKD split off, so "Crème" keys as "creme", not "cre me".
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def arxiv_links(paper_id: str) -> dict[str, str]:
    return {"abs": f"https://arxiv.org/abs/{paper_id}", "pdf": f"https://arxiv.org/pdf/{paper_id}"}


def _check_unicode(value: str) -> None:
    try:
        value.encode("utf-8")  # fails exactly on lone surrogates, at C speed
    except UnicodeEncodeError as exc:
        found = value[exc.start]
        if _UNDECODABLE.fullmatch(found):
            raise ValueError(
                f"byte 0x{ord(found) - 0xDC00:02X} is not valid in the file's encoding (a file mixing encodings?); "
                "convert the file to UTF-8 first"
            ) from None
        raise ValueError("contains a lone surrogate (U+D800 to U+DFFF), which is not text") from None


def _cut(value: str, limit: int, name: str, notes: list[str]) -> str:
    text = clean_text(value, len(value) + 1)
    if len(text) > limit:
        notes.append(f"{name} cut from {len(text):,} to {limit:,} characters")
        text = text[: limit - 1].rstrip() + "…"
    return text


def _day(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        if len(value) > 10:
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
            except ValueError:
                raise ValueError(f"{value[:40]!r} is not a date (YYYY-MM-DD)") from None
    if isinstance(value, datetime):
        return value.date()
    return value


def _readable(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] in ("string_type", "list_type", "int_type", "date_type", "dict_type"):
        message += f", got {type(first.get('input')).__name__}"
    return f"{where}: {message}" if where else message


class PaperRecord(BaseModel):
    """One paper as a source delivers it, validated and cleaned, ready to store."""

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)

    id: str
    title: str
    abstract: str = ""
    authors: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    published: date | None = None
    updated: date | None = None
    version: int | None = None
    doi: str | None = None
    source: str = "file"
    links: dict[str, str] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list, exclude=True)  # what cleaning cut, for the report

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise BadRecord(_readable(exc)) from None

    @classmethod
    def parse(cls, data: Any, source: str = "file") -> PaperRecord:
        """A record from loosely typed data (a JSON object, a CSV row); BadRecord when unusable."""
        if not isinstance(data, dict):
            raise BadRecord(f"expected an object with the paper's fields, got {type(data).__name__}")
        fields = {k: v for k, v in data.items() if k in _PARSED}
        if fields.get("abstract") is None:
            fields.pop("abstract", None)
        return cls(**fields, source=source)

    @field_validator("id", "title", "abstract", "doi", "source", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        if isinstance(value, str):
            _check_unicode(value)
        return value

    @field_validator("authors", "categories", mode="before")
    @classmethod
    def _texts(cls, value: Any) -> Any:
        if isinstance(value, list):
            for item in value:
                if isinstance(item, str):
                    _check_unicode(item)
        return value

    @field_validator("published", "updated", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return _day(value)

    @field_validator("published", "updated")
    @classmethod
    def _plausible_date(cls, value: date | None) -> date | None:
        if value is not None and not EARLIEST <= value <= date.today() + timedelta(days=FUTURE_DAYS):
            raise ValueError(f"{value.isoformat()} is not a plausible date for a paper")
        return value

    @field_validator("version")
    @classmethod
    def _version(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= MAX_VERSION:
            shown = str(value) if abs(value) < 10**24 else f"{str(value)[:20]}…"
            raise ValueError(f"{shown} is not a real arXiv version (1 to {MAX_VERSION})")
        return value

    @model_validator(mode="after")
    def _clean(self) -> PaperRecord:
        limits = _limits.get()
        self._clean_id()
        notes = self.notes
        self.title = _cut(self.title, limits.title, "title", notes)
        if not self.title:
            raise ValueError("title: must not be empty")
        self.abstract = _cut(self.abstract or "", limits.abstract, "abstract", notes)
        authors = [a for a in self.authors if a.strip()]
        if len(authors) > limits.authors:
            notes.append(f"authors cut from {len(authors):,} to {limits.authors:,}")
            authors = authors[: limits.authors]
        self.authors = [a for a in (_cut(a, limits.author, "an author's name", notes) for a in authors) if a]
        seen: dict[str, None] = {}
        for cat in self.categories[:MAX_CATEGORIES]:
            cat = strip_controls(cat)
            if cat and len(cat) <= MAX_CATEGORY_LEN:  # longer is no category, and PostgreSQL would refuse it
                seen.setdefault(cat, None)
        self.categories = list(seen)
        if self.doi:
            self.doi = strip_controls(self.doi).lower() or None
            if self.doi and len(self.doi) > MAX_DOI_LEN:
                notes.append(f"doi dropped: {len(self.doi):,} characters, more than {MAX_DOI_LEN}")
                self.doi = None
        self.links = {
            strip_controls(k)[:32]: strip_controls(v) for k, v in self.links.items() if len(v) <= MAX_LINK_LEN
        }
        if not self.links and is_arxiv_id(self.id):
            self.links = arxiv_links(self.id)
        return self

    def _clean_id(self) -> None:
        raw = strip_controls(self.id)
        if not raw:
            raise ValueError("id: must not be empty")
        try:
            pid, version = split_arxiv_id(raw)
        except InvalidPaperId as exc:
            if "version" in str(exc):
                raise ValueError(f"id: {exc}") from None
            if len(raw) > MAX_ID_LEN or (not set(raw) <= _ID_CHARS and not raw.startswith(("doi:", "title:"))) \
                    or any(ch.isspace() for ch in raw):
                shown = raw if len(raw) <= 80 else raw[:80] + "…"
                raise ValueError(f"id: {shown!r} is not an arXiv id or a short plain identifier") from None
            pid, version = raw, None
        self.id = pid
        if self.version is None:
            self.version = version

    @property
    def primary_category(self) -> str | None:
        return self.categories[0] if self.categories else None


_PARSED = frozenset(PaperRecord.model_fields) - {"notes", "links", "source"}  # what `parse` takes from loose data
