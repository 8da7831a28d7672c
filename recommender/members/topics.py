"""Subscriptions: the topics a user or a channel follows."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from recommender.errors import PaperbotError
from recommender.papers import strip_controls
from recommender.ranking.index import PaperIndex
from recommender.ranking.text import InvalidTopic, clean_topic, topic_key
from recommender.ranking.vocabulary import read_topic
from recommender.storage.models import Subscription
from recommender.storage.upsert import insert_ignore
from recommender.views import Target, TopicAdvice

MAX_TOPICS = 25


def list_topics(session: Session, target: Target) -> list[str]:
    query = (
        select(Subscription.topic)
        .where(Subscription.target_kind == target.kind, Subscription.target_id == target.id)
        .order_by(Subscription.created_at, Subscription.id)
    )
    return list(session.scalars(query))


def advise(index: PaperIndex | None, raw_topic: str, suggest: bool = True) -> TopicAdvice | None:
    """How the library reads a topic (None while the library is empty)."""
    topic = clean_topic(raw_topic)
    if index is None or len(index) == 0:
        return None
    r = read_topic(index, topic, suggest)
    return TopicAdvice(
        r.topic, r.papers, len(index), r.terms, r.unknown, r.common, r.acronyms, r.suggestions, r.weak
    )


def require_usable(advice: TopicAdvice | None) -> None:
    """Refuse a topic nothing in the library can match (any topic while it is empty)."""
    if advice is None or advice.usable:
        return
    hint = (
        " Did you mean " + ", ".join(f"`{s}`" for s in advice.suggestions[:3]) + "?"
        if advice.suggestions else " Try other keywords, e.g. words from the title of a paper you like."
    )
    raise InvalidTopic(
        f"None of the words of `{advice.topic}` occur in the library ({advice.library:,} papers), "
        f"so it could never match a paper.{hint}"
    )


def subscribe(session: Session, target: Target, raw_topic: str, advice: TopicAdvice | None = None) -> tuple[str, bool]:
    """Follow a topic; returns (clean topic, True if new). Re-subscribing is a no-op.

    With the library's reading of it (`advise`), a topic nothing can match is refused (with suggestions).
    """
    topic = clean_topic(raw_topic)
    key = topic_key(topic)
    existing = session.scalar(
        select(Subscription).where(
            Subscription.target_kind == target.kind,
            Subscription.target_id == target.id,
            Subscription.topic_key == key,
        )
    )
    if existing is not None:
        return existing.topic, False
    count = session.scalar(
        select(func.count(Subscription.id)).where(
            Subscription.target_kind == target.kind, Subscription.target_id == target.id
        )
    )
    if (count or 0) >= MAX_TOPICS:
        if target.kind == "channel":
            raise PaperbotError(f"The digest channel already follows {MAX_TOPICS} topics, the maximum. Remove one first.")
        raise PaperbotError(f"You already follow {MAX_TOPICS} topics, the maximum. Unsubscribe from one first.")
    require_usable(advice)
    added = insert_ignore(  # an upsert: the same topic twice at once never collides
        session, Subscription, ["target_kind", "target_id", "topic_key"],
        target_kind=target.kind, target_id=target.id, guild_id=target.guild_id, topic=topic, topic_key=key,
    )
    return topic, added


def unsubscribe(session: Session, target: Target, raw_topic: str) -> str:
    """Stop following a topic; raises with the list of topics when it is not followed."""
    key = topic_key(strip_controls(raw_topic or ""))
    result = session.execute(
        delete(Subscription)
        .where(
            Subscription.target_kind == target.kind,
            Subscription.target_id == target.id,
            Subscription.topic_key == key,
        )
        .returning(Subscription.topic)
    ).first()
    if result is None:
        topics = list_topics(session, target)
        listing = ", ".join(f"`{t}`" for t in topics) if topics else "none yet"
        shown = raw_topic[:100] + ("…" if len(raw_topic) > 100 else "")
        if target.kind == "channel":
            raise PaperbotError(f"The digest channel does not follow `{shown}`. Its topics: {listing}.")
        raise PaperbotError(f"You don't follow `{shown}`. Your topics: {listing}.")
    return str(result[0])


def move_channel_topics(session: Session, guild_id: int, old: int, new: int) -> int:
    """A server's new digest channel takes the old one's own topics (those it does not follow already)."""
    have = select(Subscription.topic_key).where(Subscription.target_kind == "channel", Subscription.target_id == new)
    session.execute(delete(Subscription).where(
        Subscription.target_kind == "channel", Subscription.target_id == old, Subscription.topic_key.in_(have)))
    moved = session.execute(
        update(Subscription).where(Subscription.target_kind == "channel", Subscription.target_id == old)
        .values(target_id=new, guild_id=guild_id)
    )
    return int(moved.rowcount or 0)
def popular(session: Session, guild_id: int, typed: str = "", limit: int = 25) -> list[tuple[str, int]]:
    """The topics members follow in a server (subscribed there), with how many follow each, most followed first."""
    needle = topic_key(typed) if typed.strip() else ""
    query = (
        select(func.min(Subscription.topic), func.count(func.distinct(Subscription.target_id)).label("members"))
        .where(Subscription.target_kind == "user", Subscription.guild_id == guild_id)
        .group_by(Subscription.topic_key)
        .order_by(func.count(func.distinct(Subscription.target_id)).desc(), Subscription.topic_key)
        .limit(limit)
    )
    if needle:
        query = query.where(Subscription.topic_key.contains(needle, autoescape=True))
    return [(str(topic), int(n)) for topic, n in session.execute(query)]
