"""Members' own settings: personal digests by DM."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.config import check_timezone, parse_hhmm
from recommender.errors import PaperbotError
from recommender.members.feedback import ensure_user
from recommender.storage.models import Digest, User


def set_dm_digest(
    session: Session, user_id: int, enabled: bool, time: str | None = None, tz: str | None = None
) -> tuple[bool, str, str]:
    user = ensure_user(session, user_id)
    try:
        if time is not None:
            t = parse_hhmm(time)
            user.dm_time = f"{t.hour:02d}:{t.minute:02d}"
        if tz is not None:
            user.timezone = check_timezone(tz.strip())
    except ValueError as exc:
        raise PaperbotError(str(exc)) from None
    user.dm_digest = enabled
    return user.dm_digest, user.dm_time, user.timezone


def due_dm_users(session: Session, now: datetime | None = None) -> list[tuple[int, str]]:
    """(user id, local date) of members whose DM digest time has passed today and who got none yet."""
    now = now or datetime.now(timezone.utc)
    recent = now.date() - timedelta(days=2)
    sent = set(
        session.execute(select(Digest.target_id, Digest.day).where(Digest.target_kind == "user", Digest.day >= recent))
    )
    due: list[tuple[int, str]] = []
    for user_id, dm_time, tz in session.execute(
        select(User.id, User.dm_time, User.timezone).where(User.dm_digest.is_(True))
    ):
        local = now.astimezone(ZoneInfo(tz))
        if local.strftime("%H:%M") >= dm_time and (user_id, local.date()) not in sent:
            due.append((user_id, local.date().isoformat()))
    return due


def timezone_of(session: Session, user_id: int) -> str:
    """The member's time zone (UTC for someone we don't know)."""
    user = session.get(User, user_id)
    return user.timezone if user is not None else "UTC"
