"""SQLAlchemy ORM models. Times are naive UTC; Discord ids are 64-bit integers."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import true as sa_true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Surrogate keys: BIGINT on PostgreSQL, INTEGER (rowid alias) on SQLite.
SurrogateKey = BigInteger().with_variant(Integer, "sqlite")


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Paper(Base):
    __tablename__ = "papers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    title_key: Mapped[str] = mapped_column(String(300), index=True)
    abstract: Mapped[str] = mapped_column(Text, default="")
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    primary_category: Mapped[str | None] = mapped_column(String(32), index=True)
    published: Mapped[date | None] = mapped_column(Date, index=True)
    updated: Mapped[date | None] = mapped_column(Date)
    doi: Mapped[str | None] = mapped_column(String(255), index=True)
    source: Mapped[str] = mapped_column(String(32))
    links: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    ingested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    modified_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class PaperSource(Base):
    """Where a paper was seen (arXiv, Hugging Face, ...) and source-specific signals."""

    __tablename__ = "paper_sources"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    paper_id: Mapped[str] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(255))
    upvotes: Mapped[int | None] = mapped_column(Integer)
    listed_on: Mapped[date | None] = mapped_column(Date, index=True)
    first_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_active: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    dm_digest: Mapped[bool] = mapped_column(Boolean, default=False)
    dm_time: Mapped[str] = mapped_column(String(5), default="08:00")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    digest_size: Mapped[int | None] = mapped_column(Integer)  # papers per DM digest (NULL: the default)
    dm_weekdays: Mapped[str] = mapped_column(String(40), default="daily", server_default="daily")
    min_match: Mapped[int | None] = mapped_column(Integer)  # 0-100: the DM digest's own bar (NULL: the default)
    # "daily" (on `dm_weekdays`) or "weekly" (on `dm_week_day`, "mon" … "sun").
    dm_cadence: Mapped[str] = mapped_column(String(8), default="daily", server_default="daily")
    dm_week_day: Mapped[str] = mapped_column(String(3), default="mon", server_default="mon")


class Guild(Base):
    """A Discord server and its digest settings."""

    __tablename__ = "guilds"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100), default="")
    digest_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    digest_time: Mapped[str] = mapped_column(String(5), default="08:00")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    weekdays: Mapped[str] = mapped_column(String(40), default="mon-fri")
    digest_size: Mapped[int] = mapped_column(Integer, default=8)
    digest_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # /sources: the arXiv categories its digest draws on ("cs.LG,cs.CL"; NULL: every paper the bot ingests)
    # and whether papers only Hugging Face Daily Papers brought count.
    arxiv_categories: Mapped[str | None] = mapped_column(String(400))
    hf_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    # "daily" (on `weekdays`) or "weekly" (on `week_day`, "mon" … "sun").
    cadence: Mapped[str] = mapped_column(String(8), default="daily", server_default="daily")
    week_day: Mapped[str] = mapped_column(String(3), default="mon", server_default="mon")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Subscription(Base):
    """A topic followed by a user (personal picks) or a channel (the channel digest)."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("target_kind", "target_id", "topic_key"),)

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    target_kind: Mapped[str] = mapped_column(String(8))
    target_id: Mapped[int] = mapped_column(BigInteger)
    guild_id: Mapped[int | None] = mapped_column(BigInteger)
    topic: Mapped[str] = mapped_column(String(200))
    topic_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("user_id", "paper_id", "kind"),)

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    paper_id: Mapped[str] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ReadingListEntry(Base):
    __tablename__ = "reading_list"
    __table_args__ = (UniqueConstraint("user_id", "paper_id"),)

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    paper_id: Mapped[str] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"))
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)


def _its_day(context: Any) -> Any:
    """A digest's default period: its own day (a daily digest's)."""
    return context.get_current_parameters()["day"]


class Digest(Base):
    """The delivery ledger: one row per target and day (the unique key), see recommender/picks/ledger.py.

    `day` is the (local) day the digest is posted for; `period` the day a daily digest is for, or the
    Monday of a weekly digest's ISO week: (target, cadence, period) is unique too, so a weekly digest
    is posted once a week, and never on a day another digest of the target was posted.

    `status` is "claimed" (a worker holds the lease until `lease_until`), "sent" or
    "failed" (`reason` typed, retried at `next_retry_at`, never when that is NULL).
    """

    __tablename__ = "digests"
    __table_args__ = (
        UniqueConstraint("target_kind", "target_id", "day"),
        UniqueConstraint("target_kind", "target_id", "cadence", "period", name="uq_digests_period"),
    )

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    target_kind: Mapped[str] = mapped_column(String(8))
    target_id: Mapped[int] = mapped_column(BigInteger)
    guild_id: Mapped[int | None] = mapped_column(BigInteger)
    day: Mapped[date] = mapped_column(Date)
    cadence: Mapped[str] = mapped_column(String(8), default="daily", server_default="daily")
    period: Mapped[date] = mapped_column(Date, default=_its_day)
    status: Mapped[str] = mapped_column(String(12), default="claimed")
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reason: Mapped[str | None] = mapped_column(String(24))
    failed_at: Mapped[datetime | None] = mapped_column(DateTime)
    next_retry_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    # A channel digest is a header message, then its papers in a thread started on it: `header_id`
    # once the header is out, `thread_id` once the thread exists (the channel's own id when the bot
    # could not open a thread and posts the papers in the channel).
    header_id: Mapped[int | None] = mapped_column(BigInteger)
    thread_id: Mapped[int | None] = mapped_column(BigInteger)
    # What the server's admins were last told about this digest (a failure reason, "NO_THREAD").
    notified: Mapped[str | None] = mapped_column(String(24))


class DigestItem(Base):
    __tablename__ = "digest_items"
    __table_args__ = (Index("ix_digest_items_paper_id", "paper_id"),)

    digest_id: Mapped[int] = mapped_column(
        ForeignKey("digests.id", ondelete="CASCADE"), primary_key=True
    )
    paper_id: Mapped[str] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    posted_at: Mapped[datetime | None] = mapped_column(DateTime)  # NULL until the paper was posted


class IngestRun(Base):
    __tablename__ = "ingest_runs"

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(32), index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    window_start: Mapped[date | None] = mapped_column(Date)
    window_end: Mapped[date | None] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(12), default="running")
    new: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    empty_reason: Mapped[str | None] = mapped_column(String(32))
    message: Mapped[str | None] = mapped_column(Text)


class ProfileVector(Base):
    """A member's stored profile vectors (see recommender/vectors.py), rebuilt on feedback."""

    __tablename__ = "profile_vectors"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[str] = mapped_column(String(80))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class PaperEmbedding(Base):
    """A paper's sentence embedding (the optional semantic extra), computed once at ingestion.

    `vector` holds float32 values; `text_hash` names the text it was computed from,
    so a paper is embedded again only when its title or abstract changes.
    """

    __tablename__ = "paper_embeddings"

    paper_id: Mapped[str] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True)
    model: Mapped[str] = mapped_column(String(80))
    text_hash: Mapped[str] = mapped_column(String(32))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    embedded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class StateEntry(Base):
    """Small durable key/value state: harvest progress, index fingerprints."""

    __tablename__ = "state"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class AuthorFollow(Base):
    """An author a member follows: their new papers are pinned at the top of the member's picks.

    `name` is the form the member chose; `surname` and `given` are its folded parts
    (recommender/members/authors.py), which every paper's authors are matched against.
    """

    __tablename__ = "author_follows"
    __table_args__ = (UniqueConstraint("user_id", "surname", "given"),)

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    surname: Mapped[str] = mapped_column(String(120))
    given: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Mute(Base):
    """Something a member never wants in their picks: a keyword, an arXiv category or an author."""

    __tablename__ = "mutes"
    __table_args__ = (UniqueConstraint("user_id", "kind", "value_key"),)

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # keyword, category, author
    value: Mapped[str] = mapped_column(String(200))
    value_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ChannelMute(Base):
    """Something a server's digest channel never carries (set by its admins with `/digest mute`)."""

    __tablename__ = "channel_mutes"
    __table_args__ = (UniqueConstraint("channel_id", "kind", "value_key"),)

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    channel_id: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(10))  # keyword, category, author
    value: Mapped[str] = mapped_column(String(200))
    value_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Onboarding(Base):
    """A member's five-paper start: the papers offered after their first topic, and their picks then."""

    __tablename__ = "onboardings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    paper_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    picks_before: Mapped[list[str]] = mapped_column(JSON, default=list)
    offered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    reported_at: Mapped[datetime | None] = mapped_column(DateTime)  # when "how your picks changed" was said


class Discussion(Base):
    """A reading-group thread opened on a paper in a server (one per server and paper)."""

    __tablename__ = "discussions"
    __table_args__ = (UniqueConstraint("guild_id", "paper_id"),)

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    paper_id: Mapped[str] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[int] = mapped_column(BigInteger)
    thread_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    opened_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The channel digest the paper was in when the thread opened (its day thread links to this one),
    # the link posted there, and how many messages members wrote in the thread (no content kept).
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("digests.id", ondelete="SET NULL"))
    link_id: Mapped[int | None] = mapped_column(BigInteger)
    messages: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_message_at: Mapped[datetime | None] = mapped_column(DateTime)
