"""What a member mutes (their picks) or a digest channel mutes (its digests): a keyword, an arXiv category or an
author; muted papers never reach them."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from recommender.errors import PaperbotError
from recommender.members.authors import AuthorName, fold, parse, same_person
from recommender.storage.models import ChannelMute, Mute
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


@dataclass(frozen=True)
class _Owner:
    """Whose mutes: a member's (`mutes`) or a digest channel's (`channel_mutes`), and how to say so."""

    model: type[Mute] | type[ChannelMute]
    column: str  # user_id or channel_id
    id: int
    who: str  # "You have", "The digest has"
    whom: str  # "You haven't", "The digest hasn't"
    undo: str  # the command that removes one
    theirs: str  # "Your mutes", "Its mutes"
    extra: dict[str, int] = field(default_factory=dict)  # further columns of a new row

    def where(self) -> ColumnElement[bool]:
        return getattr(self.model, self.column) == self.id


def _member(user_id: int) -> _Owner:
    return _Owner(Mute, "user_id", user_id, "You have", "You haven't", "/unmute", "Your mutes")


def _channel(guild_id: int, channel_id: int) -> _Owner:
    return _Owner(ChannelMute, "channel_id", channel_id, "The digest has", "The digest hasn't", "/digest unmute",
                  "Its mutes", {"guild_id": guild_id})


def _entries(session: Session, owner: _Owner) -> Mutes:
    rows = session.scalars(select(owner.model).where(owner.where()).order_by(owner.model.kind, owner.model.created_at))
    return Mutes([MuteEntry(r.kind, r.value) for r in rows])


def _add(session: Session, owner: _Owner, kind: str, value: str) -> tuple[MuteEntry, bool]:
    shown, key = _key(kind, value)
    if len(_entries(session, owner).entries) >= MUTES_MAX:
        raise PaperbotError(f"{owner.who} {MUTES_MAX} mutes already: `{owner.undo}` one first.")
    session.flush()
    created = insert_ignore(session, owner.model, [owner.column, "kind", "value_key"],
                            **{owner.column: owner.id}, **owner.extra, kind=kind, value=shown, value_key=key)
    if not created:  # as it was first written
        model = owner.model
        shown = session.scalar(select(model.value).where(owner.where(), model.kind == kind, model.value_key == key)) or shown
    return MuteEntry(kind, shown), created


def _remove(session: Session, owner: _Owner, kind: str, value: str) -> MuteEntry:
    shown, key = _key(kind, value)
    model = owner.model
    row = session.scalars(select(model).where(owner.where(), model.kind == kind, model.value_key == key)).first()
    if row is None:
        listed = ", ".join(f"{e.kind} `{e.value}`" for e in _entries(session, owner).entries) or "none"
        raise PaperbotError(f"{owner.whom} muted the {kind} `{shown}`. {owner.theirs}: {listed[:1500]}.")
    session.execute(delete(model).where(model.id == row.id))
    return MuteEntry(row.kind, row.value)


def mute(session: Session, user_id: int, kind: str, value: str) -> tuple[MuteEntry, bool]:
    """Add a member's mute; returns it and whether it is new."""
    return _add(session, _member(user_id), kind, value)


def unmute(session: Session, user_id: int, kind: str, value: str) -> MuteEntry:
    return _remove(session, _member(user_id), kind, value)


def list_mutes(session: Session, user_id: int) -> Mutes:
    return _entries(session, _member(user_id))


def mutes_of(session: Session, user_ids: list[int]) -> dict[int, Mutes]:
    found: dict[int, list[MuteEntry]] = defaultdict(list)
    if user_ids:
        for r in session.scalars(select(Mute).where(Mute.user_id.in_(user_ids)).order_by(Mute.created_at)):
            found[r.user_id].append(MuteEntry(r.kind, r.value))
    return {uid: Mutes(found.get(uid, [])) for uid in user_ids}


def channel_mute(session: Session, guild_id: int, channel_id: int, kind: str, value: str) -> tuple[MuteEntry, bool]:
    """Add a digest channel's mute (`/digest mute`): the channel's digests never carry such papers."""
    return _add(session, _channel(guild_id, channel_id), kind, value)


def channel_unmute(session: Session, guild_id: int, channel_id: int, kind: str, value: str) -> MuteEntry:
    return _remove(session, _channel(guild_id, channel_id), kind, value)


def channel_mutes(session: Session, channel_id: int) -> Mutes:
    return _entries(session, _channel(0, channel_id))


def move_channel_mutes(session: Session, old_channel: int, new_channel: int) -> None:
    """A new digest channel takes the old one's mutes along (as it does its topics)."""
    rows = select(ChannelMute).where(ChannelMute.channel_id == new_channel)
    taken = {(r.kind, r.value_key) for r in session.scalars(rows)}
    for row in session.scalars(select(ChannelMute).where(ChannelMute.channel_id == old_channel)).all():
        if (row.kind, row.value_key) in taken:
            session.delete(row)
        else:
            row.channel_id = new_channel
