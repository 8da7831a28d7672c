"""Servers and their digest settings."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.config import Settings, checked_schedule, quoted, split_list
from recommender.errors import PaperbotError
from recommender.storage.models import Guild, Paper
from recommender.storage.upsert import insert_ignore
from recommender.views import DigestSettings


MAX_CATEGORIES = 20
ALL = ("all", "any", "default", "every", "*")  # /sources categories: back to every paper the bot ingests
# arXiv's archives (https://arxiv.org/category_taxonomy); a category is one, or one plus a subject class.
ARCHIVES = frozenset((
    "astro-ph", "cond-mat", "cs", "econ", "eess", "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math",
    "math-ph", "nlin", "nucl-ex", "nucl-th", "physics", "q-bio", "q-fin", "quant-ph", "stat",
))
_CATEGORY = re.compile(r"([a-z-]+)(\.[A-Za-z][A-Za-z-]{1,15})?")


def _well_formed(category: str) -> bool:
    match = _CATEGORY.fullmatch(category)
    return match is not None and match.group(1) in ARCHIVES


def _view(guild: Guild) -> DigestSettings:
    cats = tuple(split_list(guild.arxiv_categories)) if guild.arxiv_categories else None
    return DigestSettings(
        guild.id, guild.digest_channel_id, guild.digest_time, guild.timezone, guild.weekdays,
        guild.digest_size, guild.digest_enabled, cats, guild.hf_enabled, guild.cadence, guild.week_day,
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
    cadence: str | None = None,
    day: str | None = None,
    name: str = "",
) -> DigestSettings:
    """Change a server's digest settings; every value is checked with a clear message."""
    guild = ensure_guild(session, guild_id, settings, name)
    try:
        when = checked_schedule(time, timezone, weekdays, cadence, day)
    except ValueError as exc:
        raise PaperbotError(str(exc)) from None
    when.set_on(guild, time="digest_time", timezone="timezone", weekdays="weekdays", cadence="cadence", day="week_day")
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


def known_categories(session: Session, settings: Settings) -> dict[str, str]:
    """Case-folded -> canonical arXiv category: the library's primary categories and the configured ones."""
    rows = session.scalars(select(Paper.primary_category).where(Paper.primary_category.is_not(None)).distinct())
    return {c.casefold(): c for c in [*settings.category_list, *rows] if c}


def parse_categories(text: str, known: dict[str, str]) -> list[str] | None:
    """"cs.lg, cs.CL" -> ["cs.LG", "cs.CL"] (the library's spelling); "all" -> None (no filter)."""
    parts = split_list(text)
    if not parts:
        raise PaperbotError("Name at least one arXiv category, e.g. `cs.LG, cs.CL`, or `all`.")
    if len(parts) == 1 and parts[0].casefold() in ALL:
        return None
    cats: list[str] = []
    for part in parts:
        canonical = known.get(part.casefold())
        if canonical is None and not _well_formed(part):
            raise PaperbotError(f"{quoted(part)} is not an arXiv category like cs.LG, math.PR or astro-ph.GA.")
        cats.append(canonical or part)
    cats = list(dict.fromkeys(cats))
    if len(cats) > MAX_CATEGORIES:
        raise PaperbotError(f"At most {MAX_CATEGORIES} categories per server (this list has {len(cats)}).")
    return cats


def set_sources(
    session: Session, settings: Settings, guild_id: int, *, categories: str | None = None,
    hf: bool | None = None, name: str = "",
) -> DigestSettings:
    """Change which papers a server's digest draws on: its arXiv categories, Hugging Face on or off."""
    guild = ensure_guild(session, guild_id, settings, name)
    if categories is not None:
        cats = parse_categories(categories, known_categories(session, settings))
        guild.arxiv_categories = ",".join(cats) if cats is not None else None
    if hf is not None:
        guild.hf_enabled = hf
    return _view(guild)


def all_categories(session: Session) -> list[str]:
    """Every category some server's digest draws on (the scheduled ingestion reads them too)."""
    rows = session.scalars(select(Guild.arxiv_categories).where(Guild.arxiv_categories.is_not(None)))
    return list(dict.fromkeys(c for value in rows for c in split_list(value)))
