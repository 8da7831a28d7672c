"""Plain result objects the services return to the CLI, the console and the bot."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from recommender.storage.models import Paper


@dataclass(frozen=True)
class Target:
    """Who gets recommendations: a user (personal picks) or a channel (the digest)."""

    kind: str  # "user" or "channel"
    id: int
    guild_id: int | None = None

    @classmethod
    def user(cls, user_id: int, guild_id: int | None = None) -> Target:
        return cls("user", user_id, guild_id)

    @classmethod
    def channel(cls, channel_id: int, guild_id: int | None) -> Target:
        return cls("channel", channel_id, guild_id)


@dataclass(frozen=True)
class PaperView:
    id: str
    title: str
    abstract: str
    authors: list[str]
    categories: list[str]
    published: date | None
    version: int | None
    links: dict[str, str]

    @classmethod
    def of(cls, paper: Paper) -> PaperView:
        return cls(
            paper.id, paper.title, paper.abstract, list(paper.authors or []), list(paper.categories or []),
            paper.published, paper.version, dict(paper.links or {}),
        )

    @property
    def url(self) -> str:
        return self.links.get("abs") or self.links.get("url") or ""

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
        data["url"] = self.url
        return data


@dataclass(frozen=True)
class Recommendation:
    paper: PaperView
    score: float
    matched: str  # the topic it matched, or "papers you liked"
    terms: list[str] = field(default_factory=list)
    similar_to: PaperView | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.paper.as_dict(),
            "score": round(self.score, 4),
            "matched": self.matched,
            "terms": self.terms,
            "similar_to": self.similar_to.id if self.similar_to else None,
        }


@dataclass
class RecommendResult:
    picks: list[Recommendation]
    note: str | None = None  # why the list is short or empty
    candidates: int = 0


@dataclass
class DigestDraft:
    target: Target
    day: date
    picks: list[Recommendation]
    topics: list[str]
    note: str | None = None
    candidates: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": {"kind": self.target.kind, "id": self.target.id, "guild_id": self.target.guild_id},
            "day": self.day.isoformat(),
            "topics": self.topics,
            "note": self.note,
            "candidates": self.candidates,
            "papers": [p.as_dict() for p in self.picks],
        }


@dataclass(frozen=True)
class DigestSettings:
    guild_id: int
    channel_id: int | None
    time: str
    timezone: str
    weekdays: str
    size: int
    enabled: bool


@dataclass(frozen=True)
class LedgerEntry:
    """A digest's row in the delivery ledger (recommender/picks/ledger.py), for `/digest status` and retries."""

    id: int
    target: Target
    day: date
    status: str
    attempts: int
    reason: str | None
    error: str | None
    failed_at: datetime | None
    next_retry_at: datetime | None
    sent_at: datetime | None
