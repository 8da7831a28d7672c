"""Ids for papers without an arXiv id, and the dedupe keys of a record."""

from __future__ import annotations

import hashlib

from recommender.papers import is_arxiv_id, normalize_title

ID_LIMIT = 64
# A normalised title shorter than this ("introduction") is too generic to match on.
MIN_TITLE_KEY = 20
MIN_TITLE_WORDS = 3


def provisional_id(doi: str | None, title: str) -> str:
    """A stable id for a record without an arXiv id: from its DOI, else its title."""
    if doi:
        doi = doi.strip().lower()
        pid = f"doi:{doi}"
        if len(pid) <= ID_LIMIT:
            return pid
        return "doi:" + hashlib.sha1(doi.encode()).hexdigest()
    return "title:" + hashlib.sha1(normalize_title(title).encode()).hexdigest()[:32]


def title_key(title: str) -> str:
    return normalize_title(title)[:300]


def matchable_title(key: str) -> bool:
    return len(key) >= MIN_TITLE_KEY and key.count(" ") + 1 >= MIN_TITLE_WORDS


def clean_doi(raw: str | None) -> str | None:
    """'https://doi.org/10.1/X' or 'doi:10.1/X' -> '10.1/x'; None when it is not a DOI."""
    if not raw:
        return None
    text = raw.strip().split()[0].lower()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"):
        if text.startswith(prefix):
            text = text[len(prefix):]
    return text if text.startswith("10.") and "/" in text and len(text) <= 255 else None


__all__ = ["clean_doi", "is_arxiv_id", "matchable_title", "provisional_id", "title_key"]
