"""Servers and their digest settings."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.config import Settings, check_timezone, parse_hhmm, parse_weekdays
from recommender.errors import PaperbotError
from recommender.storage.models import Guild
from recommender.storage.upsert import insert_ignore
from recommender.views import DigestSettings


def _view(guild: Guild) -> DigestSettings:
    return DigestSettings(
        guild.id, guild.digest_channel_id, guild.digest_time, guild.timezone, guild.weekdays,
        guild.digest_size, guild.digest_enabled,
    )


def ensure_guild(session: Session, guild_id: int, settings: Settings, name: str = "") -> Guild:
    session.flush()
    insert_ignore(  # an upsert: two first admin commands at once never collide
        session, Guild, ["id"], id=guild_id, name=name[:100], digest_time=settings.digest_time,
        timezone=settings.digest_timezone, weekdays=settings.digest_weekdays, digest_size=settings.digest_size,
    )
    guild = session.get(Guild, guild_id, populate_existing=True)
    assert guild is not None
    if name and guild.name != name[:100]:
        guild.name = name[:100]
    return guild


def configure(
    session: Session,
    settings: Settings,
    guild_id: int,
    *,
    channel_id: int | None = None,
    time: str | None = None,
    timezone: str | None = None,
    weekdays: str | None = None,
    size: int | None = None,
    enabled: bool | None = None,
    name: str = "",
) -> DigestSettings:
    """Change a server's digest settings; every value is checked with a clear message."""
    guild = ensure_guild(session, guild_id, settings, name)
    try:
        if time is not None:
            t = parse_hhmm(time)
            guild.digest_time = f"{t.hour:02d}:{t.minute:02d}"
        if timezone is not None:
            guild.timezone = check_timezone(timezone.strip())
        if weekdays is not None:
            days, text = parse_weekdays(weekdays), weekdays.strip().lower()
            # Too long for the column: store the canonical list, never a cut-off (invalid) text.
            guild.weekdays = text if len(text) <= 40 else ",".join(days)
    except ValueError as exc:
        raise PaperbotError(str(exc)) from None
    if size is not None:
        if not 1 <= size <= 25:
            raise PaperbotError("The digest size must be between 1 and 25 papers.")
        guild.digest_size = size
    if channel_id is not None:
        guild.digest_channel_id = channel_id
        guild.digest_enabled = True
    if enabled is not None:
        guild.digest_enabled = enabled
    return _view(guild)


def get_settings(session: Session, guild_id: int) -> DigestSettings | None:
    guild = session.get(Guild, guild_id)
    return _view(guild) if guild else None


def scheduled(session: Session) -> list[DigestSettings]:
    """Every server with a digest channel and the digest switched on."""
    rows = session.scalars(
        select(Guild).where(Guild.digest_channel_id.is_not(None), Guild.digest_enabled.is_(True)).order_by(Guild.id)
    )
    return [_view(g) for g in rows]


def guild_of_channel(session: Session, channel_id: int) -> int | None:
    return session.scalar(select(Guild.id).where(Guild.digest_channel_id == channel_id).limit(1))
