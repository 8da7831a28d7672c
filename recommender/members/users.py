"""Members' own settings: personal digests by DM."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from recommender.config import check_timezone, parse_hhmm
from recommender.errors import PaperbotError
from recommender.members.feedback import ensure_user
from recommender.storage.models import Digest, User, utcnow


def set_dm_digest(
    session: Session, user_id: int, enabled: bool, time: str | None = None, tz: str | None = None
) -> tuple[bool, str, str]:
    # Not `ensure_user`: the DM sweep switches digests off here, which is no sign of the member being active.
    user = session.get(User, user_id) or ensure_user(session, user_id)
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


def dm_digest_stopped(session: Session, user_id: int) -> bool:
    """Whether the member's DM digest was switched off because a DM failed, since they last used the bot.

    Only a closed-DM failure switches the digest off (a member's own `/dm off`
    is a command, so it is seen first); a failed DM digest newer than the
    member's last command, with the digest now off, is that case.
    """
    user = session.get(User, user_id)
    if user is None or user.dm_digest:
        return False
    return bool(session.scalar(select(exists().where(
        Digest.target_kind == "user", Digest.target_id == user_id, Digest.status == "failed",
        Digest.created_at >= user.last_active,
    ))))


def seen(session: Session, user_id: int) -> list[str]:
    """Note a command by the member; return what they must be told once (e.g. their DM digest stopped)."""
    notices = []
    if dm_digest_stopped(session, user_id):
        notices.append(
            "📭 Your daily DM picks are switched off: I could not DM you because your DMs are closed to me. "
            "Allow direct messages from server members, then use `/dm on` to get them again."
        )
    user = session.get(User, user_id)
    if user is not None:
        user.last_active = utcnow()
    return notices


def timezone_of(session: Session, user_id: int) -> str:
    """The member's time zone (UTC for someone we don't know)."""
    user = session.get(User, user_id)
    return user.timezone if user is not None else "UTC"
