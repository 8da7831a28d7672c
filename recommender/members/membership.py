"""Which servers a member uses paperbot in, so their topics (wherever they subscribed) count in each.

A member's topics are theirs, not a server's: a topic followed in DMs must reach
the digest of every server they use the bot in. The bot records the fact when a
member runs a command in a server. It is kept in the key/value `state` table
(one row per server and member, `member:<guild>:<user>`) until a table of its
own is worth a migration.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.storage.models import StateEntry, Subscription
from recommender.storage.upsert import insert_ignore

PREFIX = "member:"


def _key(guild_id: int, user_id: int) -> str:
    return f"{PREFIX}{guild_id}:{user_id}"


def record(session: Session, guild_id: int, user_id: int) -> bool:
    """Note that the member uses the bot in this server; True the first time."""
    key = _key(guild_id, user_id)
    if session.get(StateEntry, key) is not None:  # the common case: one read, no write
        return False
    return insert_ignore(session, StateEntry, ["key"], key=key, value={})  # another command may record it at once


def member_ids(session: Session, guild_id: int) -> list[int]:
    """Members seen in the server, and those who subscribed there (also before membership was recorded)."""
    prefix = f"{PREFIX}{guild_id}:"
    seen = [int(k[len(prefix):]) for k in session.scalars(select(StateEntry.key).where(StateEntry.key.startswith(prefix)))]
    subscribed = session.scalars(
        select(Subscription.target_id).where(Subscription.target_kind == "user", Subscription.guild_id == guild_id)
    ).all()
    return sorted(set(seen) | set(subscribed))
