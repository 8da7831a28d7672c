"""What a member mutes: a keyword, an arXiv category or an author; muted papers never reach their picks."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from recommender.errors import PaperbotError
from recommender.members.authors import AuthorName, fold, parse, same_person
from recommender.storage.models import Mute
from recommender.storage.upsert import insert_ignore

KINDS = ("keyword", "category", "author")
MUTES_MAX = 50
VALUE_MAX = 100
CATEGORY = re.compile(r"[a-z][a-z-]*(\.[a-z-]+)?", re.IGNORECASE)  # cs.CV, math.OC, hep-th, q-bio.NC


@dataclass(frozen=True)
class MuteEntry:
    kind: str
    value: str


@dataclass
class Mutes:
    """A member's mutes, ready to test papers against."""

    entries: list[MuteEntry] = field(default_factory=list)

    def __post_init__(self) -> None:
        words = [fold(e.value) for e in self.entries if e.kind == "keyword"]
        self._keywords = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b") if words else None
        self._categories = {e.value.casefold() for e in self.entries if e.kind == "category"}
        self._authors = [n for e in self.entries if e.kind == "author" and (n := parse(e.value)) is not None]

    def __bool__(self) -> bool:
        return bool(self.entries)

    def reason(self, title: str, abstract: str, authors: list[str], categories: list[str]) -> str | None:
        """Which mute hides a paper (None when none does)."""
        if self._categories:
            hit = next((c for c in categories if c.casefold() in self._categories), None)
            if hit:
                return f"category {hit}"
        if self._keywords is not None:
            found = self._keywords.search(fold(f"{title} {abstract}"))
            if found:
                return f"keyword {found.group(0)}"
        for name in self._authors:
            for written in authors:
                other = parse(written)
                if other is not None and same_person(name, other):
                    return f"author {written}"
        return None


def _key(kind: str, value: str) -> tuple[str, str]:
    """The stored form and key of a mute, or a clear error."""
    value = " ".join(value.split())
    if kind not in KINDS:
        raise PaperbotError(f"Mute a {', '.join(KINDS[:-1])} or {KINDS[-1]}, not {kind!r}.")
    if not value or len(value) > VALUE_MAX:
        raise PaperbotError(f"A {kind} to mute has 1-{VALUE_MAX} characters.")
    if kind == "keyword":
        key = fold(value)
        if len(key) < 2:
            raise PaperbotError("A keyword to mute needs at least two letters or digits.")
        return value, key
    if kind == "category":
        if not CATEGORY.fullmatch(value):
            raise PaperbotError(f"`{value}` is not an arXiv category; write it like `cs.CV`, `math.OC` or `hep-th`.")
        return value, value.casefold()
    name: AuthorName | None = parse(value)
    if name is None:
        raise PaperbotError(f"`{value}` is not an author's name.")
    return value, f"{name.surname} {' '.join(name.given)}".strip()


def mute(session: Session, user_id: int, kind: str, value: str) -> tuple[MuteEntry, bool]:
    """Add a mute; returns it and whether it is new."""
    shown, key = _key(kind, value)
    if len(list_mutes(session, user_id).entries) >= MUTES_MAX:
        raise PaperbotError(f"You have {MUTES_MAX} mutes already: `/unmute` one first.")
    session.flush()
    created = insert_ignore(session, Mute, ["user_id", "kind", "value_key"],
                            user_id=user_id, kind=kind, value=shown, value_key=key)
    return MuteEntry(kind, shown), created


def unmute(session: Session, user_id: int, kind: str, value: str) -> MuteEntry:
    shown, key = _key(kind, value)
    row = session.scalars(select(Mute).where(Mute.user_id == user_id, Mute.kind == kind, Mute.value_key == key)).first()
    if row is None:
        mine = ", ".join(f"{e.kind} `{e.value}`" for e in list_mutes(session, user_id).entries) or "none"
        raise PaperbotError(f"You haven't muted the {kind} `{shown}`. Your mutes: {mine[:1500]}.")
    session.execute(delete(Mute).where(Mute.id == row.id))
    return MuteEntry(row.kind, row.value)


def list_mutes(session: Session, user_id: int) -> Mutes:
    rows = session.scalars(select(Mute).where(Mute.user_id == user_id).order_by(Mute.kind, Mute.created_at))
    return Mutes([MuteEntry(r.kind, r.value) for r in rows])


def mutes_of(session: Session, user_ids: list[int]) -> dict[int, Mutes]:
    found: dict[int, list[MuteEntry]] = defaultdict(list)
    if user_ids:
        for r in session.scalars(select(Mute).where(Mute.user_id.in_(user_ids)).order_by(Mute.created_at)):
            found[r.user_id].append(MuteEntry(r.kind, r.value))
    return {uid: Mutes(found.get(uid, [])) for uid in user_ids}
