"""Finding the paper a member means: an arXiv id (any version), an arxiv.org link, or a title.

`find_paper` resolves what was typed; `paper_choices` offers papers for autocomplete
(the member's own papers when nothing is typed, else ids or titles that fit).
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process
from sqlalchemy import and_, case, or_, select
from sqlalchemy.orm import Session

from recommender.errors import UnknownPaper
from recommender.papers import InvalidPaperId, normalize_title, split_arxiv_id, strip_controls
from recommender.storage.models import Feedback, Paper, ReadingListEntry

SHOWN = 60  # characters of the typed text an error quotes
TITLE_SURE = 90  # rapidfuzz ratio from which a title is taken as meant
TITLE_CLOSE = 60  # ... and from which it is offered as "did you mean"
CANDIDATES = 400  # titles compared with rapidfuzz at most
_URL = re.compile(r"^(?:https?://|www\.)|\barxiv\.org/", re.IGNORECASE)
_ID_PREFIX = re.compile(r"^\d{2,4}(?:\.\d{0,5})?(?:v\d*)?$")


def _quote(text: str) -> str:
    return text[:SHOWN] + ("…" if len(text) > SHOWN else "")


def _words(key: str, most: int = 4) -> list[str]:
    """The longest words of a normalised title: the ones that narrow a search most."""
    words = sorted({w for w in key.split() if len(w) >= 3}, key=len, reverse=True)
    return words[:most]


def find_paper(session: Session, raw: str) -> Paper:
    """The paper meant by an arXiv id (with or without version), an abs/pdf link, its stored id or its title."""
    text = " ".join(strip_controls(raw or "").split())  # a NUL or other control character is never part of an id
    if not text:
        raise UnknownPaper("Give a paper: an arXiv id (e.g. `2406.01234`), an arxiv.org link or its title.")
    try:
        pid: str | None = split_arxiv_id(text)[0]
    except InvalidPaperId:
        pid = None
    if pid is not None:
        paper = session.get(Paper, pid)
        if paper is None:
            raise UnknownPaper(f"No paper `{_quote(text)}` in the library. Check the id (e.g. `2406.01234`).")
        return paper
    paper = session.get(Paper, text[:64])  # ids of papers from other sources
    if paper is not None:
        return paper
    if _URL.search(text):
        raise UnknownPaper(f"`{_quote(text)}` is not an arXiv link: use one like https://arxiv.org/abs/2406.01234.")
    return _by_title(session, text)


def _by_title(session: Session, text: str) -> Paper:
    key = normalize_title(text)
    if len(key) < 3:
        raise UnknownPaper(f"No paper `{_quote(text)}` in the library. Check the id (e.g. `2406.01234`).")
    exact = session.scalars(
        select(Paper).where(Paper.title_key == key[:300]).order_by(Paper.published.desc(), Paper.id.desc()).limit(1)
    ).first()
    if exact is not None:
        return exact
    words = _words(key)
    found = session.execute(
        select(Paper.id, Paper.title_key)
        .where(or_(*[Paper.title_key.contains(w, autoescape=True) for w in words]))
        .order_by(sum((case((Paper.title_key.contains(w, autoescape=True), 1), else_=0) for w in words)).desc())
        .limit(CANDIDATES)  # the titles sharing most of its longest words
    ).all() if words else []
    ranked = process.extract(key, {pid: k for pid, k in found}, scorer=fuzz.ratio, limit=3)
    if ranked and ranked[0][1] >= TITLE_SURE and (len(ranked) == 1 or ranked[1][1] < ranked[0][1]):
        paper = session.get(Paper, ranked[0][2])
        assert paper is not None
        return paper
    close = [session.get(Paper, pid) for _, score, pid in ranked if score >= TITLE_CLOSE]
    if close:
        hints = ", ".join(f"“{p.title[:80]}” (`{p.id}`)" for p in close if p is not None)
        raise UnknownPaper(f"No paper titled `{_quote(text)}`. Did you mean {hints}?")
    raise UnknownPaper(f"No paper `{_quote(text)}` in the library: give its arXiv id, an arxiv.org link or its exact title.")


def paper_choices(session: Session, user_id: int, typed: str, limit: int = 25) -> list[tuple[str, str]]:
    """(paper id, title) pairs worth offering for what was typed so far, best first."""
    text = " ".join((typed or "").split())
    if not text:
        return _own_papers(session, user_id, limit)
    try:
        pid: str | None = split_arxiv_id(text)[0]
    except InvalidPaperId:
        pid = None
    if pid is not None and (paper := session.get(Paper, pid)) is not None:
        return [(paper.id, paper.title)]
    if _ID_PREFIX.fullmatch(text):  # "2607.0004" may be the start of 2607.00042
        prefix = text.split("v")[0]
        rows = session.execute(
            select(Paper.id, Paper.title).where(Paper.id.startswith(prefix, autoescape=True))
            .order_by(Paper.id.desc()).limit(limit)
        ).all()
        return [(r.id, r.title) for r in rows]
    if pid is not None:
        return []
    key = normalize_title(text)
    words = [w for w in key.split() if len(w) >= 2][:6]
    if not words:
        return []
    rows = session.execute(
        select(Paper.id, Paper.title).where(and_(*[Paper.title_key.contains(w, autoescape=True) for w in words]))
        .order_by(Paper.published.desc(), Paper.id.desc()).limit(limit)
    ).all()
    return [(r.id, r.title) for r in rows]


def _own_papers(session: Session, user_id: int, limit: int) -> list[tuple[str, str]]:
    """The member's reading list, then what they liked: the papers they most likely mean."""
    saved = session.execute(
        select(Paper.id, Paper.title).join(ReadingListEntry, ReadingListEntry.paper_id == Paper.id)
        .where(ReadingListEntry.user_id == user_id).order_by(ReadingListEntry.added_at.desc()).limit(limit)
    ).all()
    liked = session.execute(
        select(Paper.id, Paper.title).join(Feedback, Feedback.paper_id == Paper.id)
        .where(Feedback.user_id == user_id, Feedback.kind == "like").order_by(Feedback.created_at.desc()).limit(limit)
    ).all()
    seen: dict[str, str] = {}
    for row in [*saved, *liked]:
        seen.setdefault(row.id, row.title)
    return list(seen.items())[:limit]
