"""Plain result objects the services return to the CLI, the console and the bot."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
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


def match_percent(score: float) -> int:
    """A score as a 0-100 match: 100 * (1 - e^-score), rounded.

    Scores are relative (ranking/scale.py): 0 = a typical paper of the library, 1 = as
    close as the 5 closest papers of the reference sample, on average. So a paper that
    close shows as 63, the default cut-off (0.3) as 26, a typical paper as 0, and twice
    that closeness as 86. It only maps the score (ordering is kept).
    """
    return round(100 * (1 - math.exp(-max(score, 0.0))))


def score_for_match(match: int) -> float:
    """The score a 0-99 match stands for (the inverse of `match_percent`): a member's bar as a score."""
    if not 0 <= match < 100:
        raise ValueError("a match is between 0 and 99")
    return -math.log(1 - match / 100)


@dataclass(frozen=True)
class Verdict:
    """Whether `/why`'s paper would be picked for the member now, and if not, why."""

    picked: bool
    reason: str  # picked | outranked | below_threshold | outside_window | dismissed | liked | saved | sent
    rank: int | None = None  # its place among the papers that clear the bar, when it clears it
    shown: int = 0  # how many picks /recommend shows
    threshold: float = 0.0  # the cut-off score
    window_days: int = 0  # how far back /recommend looks
    window_start: date | None = None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "window_start": self.window_start.isoformat() if self.window_start else None}


@dataclass(frozen=True)
class Discussed:
    """A paper's reading-group thread on a server (`/discuss`) and how many messages members wrote there."""

    thread_id: int
    messages: int


@dataclass(frozen=True)
class Recommendation:
    paper: PaperView
    score: float
    matched: str  # the topic it matched, or "papers you liked"
    terms: list[str] = field(default_factory=list)  # what drove it beyond the topic's words, then the paper's own
    similar_to: PaperView | None = None  # the liked paper it is most like
    matched_on: list[str] = field(default_factory=list)  # the topic's words it matched, when only some
    liked_by: int = 0  # members who liked or saved it (other members, for a pick)
    verdict: Verdict | None = None  # set by /why: would it be picked now, and if not why
    discussion: Discussed | None = None  # its thread on the server where it is shown, if any

    @property
    def match(self) -> int:
        return match_percent(self.score)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.paper.as_dict(),
            "score": round(self.score, 4),
            "match": self.match,
            "matched": self.matched,
            "matched_on": self.matched_on,
            "terms": self.terms,
            "similar_to": self.similar_to.id if self.similar_to else None,
            "liked_by": self.liked_by,
            **({"verdict": self.verdict.as_dict()} if self.verdict else {}),
            **({"discussion": asdict(self.discussion)} if self.discussion else {}),
        }


@dataclass(frozen=True)
class TopicAdvice:
    """How the library reads a topic at `/subscribe` (recommender/members/topics.py)."""

    topic: str
    papers: int  # papers in the library the topic matches at all
    library: int  # papers in the library
    terms: list[str]  # the library's terms that carry the match, the most frequent first
    unknown: list[str]  # words no paper in the library uses
    common: dict[str, list[str]]  # very common word -> the phrases it is read through
    acronyms: dict[str, tuple[str, int]]  # as typed -> (long form, abstracts introducing it)
    suggestions: list[str]  # topics the library matches better (its own terms and phrases)
    weak: bool  # unknown words or very few matching papers: worth a warning

    @property
    def usable(self) -> bool:
        return self.papers > 0


@dataclass
class RecommendResult:
    picks: list[Recommendation]
    note: str | None = None  # why the list is short or empty
    candidates: int = 0  # the papers considered: those in the window, less the ones left out
    window_days: int = 0  # the window: papers announced within this many days of `window_end`
    window_end: date | None = None  # the newest paper's date
    library: int = 0  # papers in the library


def week_start(day: date) -> date:
    """The Monday of `day`'s ISO week: a weekly digest's period."""
    return day - timedelta(days=day.weekday())


@dataclass
class DigestDraft:
    target: Target
    day: date  # the (local) day it is posted for
    picks: list[Recommendation]
    topics: list[str]
    note: str | None = None
    candidates: int = 0
    cadence: str = "daily"  # or "weekly": the week's papers, once a week

    @property
    def weekly(self) -> bool:
        return self.cadence == "weekly"

    @property
    def period(self) -> date:
        """What the ledger keys the digest by: its day, or a weekly digest's week (its Monday)."""
        return week_start(self.day) if self.weekly else self.day

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": {"kind": self.target.kind, "id": self.target.id, "guild_id": self.target.guild_id},
            "day": self.day.isoformat(),
            "cadence": self.cadence,
            "period": self.period.isoformat(),
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
    categories: tuple[str, ...] | None = None  # /sources: the arXiv categories its digest draws on (None: all)
    hf: bool = True  # whether papers only Hugging Face Daily Papers brought count
    cadence: str = "daily"  # "daily" (on `weekdays`) or "weekly" (on `week_day`)
    week_day: str = "mon"


@dataclass(frozen=True)
class DmSettings:
    """A member's personal DM digest (`/settings`)."""

    enabled: bool
    time: str
    timezone: str
    weekdays: str
    size: int  # papers per DM digest
    min_match: int  # the bar, as a 0-99 match
    custom_size: bool = False  # size and bar set by the member (else the server's defaults)
    custom_bar: bool = False
    cadence: str = "daily"  # "daily" (on `weekdays`) or "weekly" (on `week_day`)
    week_day: str = "mon"


@dataclass(frozen=True)
class Trending:
    """What a server's members liked and saved most lately, and Hugging Face's most upvoted papers."""

    days: int
    members: list[tuple[PaperView, int, int]]  # (paper, members who liked it, members who saved it)
    upvoted: list[tuple[PaperView, int]]  # (paper, Hugging Face upvotes)
    upvotes_known: bool  # whether any Hugging Face papers were ingested at all
    discussed: dict[str, Discussed] = field(default_factory=dict)  # threads on the server of the papers shown
    discussions: list[tuple[PaperView, Discussed]] = field(default_factory=list)  # the liveliest threads lately


@dataclass(frozen=True)
class ActivitySeries:
    """One topic's (or arXiv category's, or the rest's) papers kept, week by week."""

    label: str
    kind: str  # "topic" (a followed topic), "category" (the paper's arXiv category, no topic matched) or "other"
    counts: list[int]  # one per week, oldest first

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Activity:
    """What a server's members liked and saved over the last weeks, by topic (the activity chart's data).

    Each member's keep of a paper counts once (a like and a save of the same paper are one),
    in the week of their first keep; weeks start on Monday (UTC), the last one is the current week.
    """

    weeks: list[date]  # the Monday each week starts on, oldest first
    series: list[ActivitySeries]  # the most kept first; "other" (the rest together) last
    likes: int
    saves: int
    members: int  # members who liked or saved something in those weeks

    @property
    def total(self) -> int:
        return sum(s.total for s in self.series)


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
    header_id: int | None = None  # a channel digest's header message, once posted
    thread_id: int | None = None  # where its papers go: the day's thread, or the channel itself (no thread)
    cadence: str = "daily"  # a weekly digest is keyed by its week, see DigestDraft.period

    @property
    def in_channel(self) -> bool:
        """The papers went (or go) in the channel itself: the bot could not open a thread."""
        return self.thread_id is not None and self.thread_id == self.target.id


@dataclass(frozen=True)
class ReadingItem:
    """A paper on a member's reading list: when it was saved, and read (None while unread)."""

    paper: PaperView
    added: datetime
    read: datetime | None = None


@dataclass(frozen=True)
class ReadingPage:
    """One page of a member's reading list (`page` counts from 1)."""

    items: list[ReadingItem]
    page: int
    pages: int
    total: int
    unread: int


@dataclass(frozen=True)
class ProfileSummary:
    """What paperbot has learned about a member (`/profile show`)."""

    topics: list[tuple[str, int]]  # topic, recent papers it matches
    likes: int
    dismissals: int
    saves: int
    read: int
    terms: list[str]  # the terms that weigh most in their profile, heaviest first
    window_days: int = 0
