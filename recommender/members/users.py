"""Members' own settings: personal digests by DM."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from recommender.config import WEEKDAYS, Settings, checked_schedule, parse_weekdays
from recommender.errors import PaperbotError
from recommender.members.feedback import ensure_user
from recommender.storage.models import Digest, User, utcnow
from recommender.views import DmSettings, match_percent, score_for_match, week_start

WEEKLY = "weekly"

MATCH_MAX = 95  # a higher bar would leave almost every DM digest empty


def _schedule(
    user: User, time: str | None, tz: str | None, weekdays: str | None, cadence: str | None = None,
    day: str | None = None,
) -> None:
    """Set the given parts of a member's DM schedule, checked (`config.checked_schedule`)."""
    try:
        when = checked_schedule(time, tz, weekdays, cadence, day)
    except ValueError as exc:
        raise PaperbotError(str(exc)) from None
    when.set_on(user, time="dm_time", timezone="timezone", weekdays="dm_weekdays", cadence="dm_cadence",
                day="dm_week_day")


def set_dm_digest(
    session: Session, user_id: int, enabled: bool, time: str | None = None, tz: str | None = None
) -> tuple[bool, str, str]:
    # Not `ensure_user`: the DM sweep switches digests off here, which is no sign of the member being active.
    user = session.get(User, user_id) or ensure_user(session, user_id)
    _schedule(user, time, tz, None)
    user.dm_digest = enabled
    return user.dm_digest, user.dm_time, user.timezone


def dm_settings(session: Session, settings: Settings, user_id: int) -> DmSettings:
    """A member's DM digest settings (the defaults for someone we don't know)."""
    user = session.get(User, user_id)
    default_bar = match_percent(settings.min_score)
    if user is None:
        return DmSettings(False, "08:00", "UTC", "daily", settings.digest_size, default_bar)
    return DmSettings(
        user.dm_digest, user.dm_time, user.timezone, user.dm_weekdays,
        user.digest_size or settings.digest_size, default_bar if user.min_match is None else user.min_match,
        custom_size=user.digest_size is not None, custom_bar=user.min_match is not None,
        cadence=user.dm_cadence, week_day=user.dm_week_day,
    )


def configure_dm(
    session: Session, settings: Settings, user_id: int, *, enabled: bool | None = None, time: str | None = None,
    tz: str | None = None, weekdays: str | None = None, size: int | None = None, min_match: int | None = None,
    cadence: str | None = None, day: str | None = None,
) -> DmSettings:
    """Change a member's DM digest settings (`/settings`); every value is checked with a clear message."""
    user = ensure_user(session, user_id)
    _schedule(user, time, tz, weekdays, cadence, day)
    if size is not None:
        if not 1 <= size <= 25:
            raise PaperbotError("A DM digest has between 1 and 25 papers.")
        user.digest_size = size
    if min_match is not None:
        if not 0 <= min_match <= MATCH_MAX:
            raise PaperbotError(f"The threshold is a match between 0 and {MATCH_MAX}.")
        user.min_match = min_match
    if enabled is not None:
        user.dm_digest = enabled
    session.flush()
    return dm_settings(session, settings, user_id)


def due_dm_users(session: Session, now: datetime | None = None) -> list[tuple[int, str]]:
    """(user id, local date) of members whose DM digest time has passed today and who got none yet (that
    day, or for a weekly digest, that week)."""
    now = now or datetime.now(timezone.utc)
    recent = now.date() - timedelta(days=9)  # a week and the time zones around it
    sent: set[tuple[int, date]] = set()
    weeks: set[tuple[int, date]] = set()
    for target_id, day, cadence, period in session.execute(
        select(Digest.target_id, Digest.day, Digest.cadence, Digest.period)
        .where(Digest.target_kind == "user", Digest.day >= recent)
    ):
        sent.add((target_id, day))
        if cadence == WEEKLY:
            weeks.add((target_id, period))
    due: list[tuple[int, str]] = []
    for user_id, dm_time, tz, days, cadence, week_day in session.execute(
        select(User.id, User.dm_time, User.timezone, User.dm_weekdays, User.dm_cadence, User.dm_week_day)
        .where(User.dm_digest.is_(True))
    ):
        local = now.astimezone(ZoneInfo(tz))
        weekly = cadence == WEEKLY
        if WEEKDAYS[local.weekday()] not in ((week_day,) if weekly else _days(days)):
            continue
        if local.strftime("%H:%M") < dm_time or (user_id, local.date()) in sent:
            continue
        if weekly and (user_id, week_start(local.date())) in weeks:
            continue
        due.append((user_id, local.date().isoformat()))
    return due


def dm_members(session: Session) -> list[int]:
    """The members with DM digests on, by id (those the stored population holds)."""
    return list(session.scalars(select(User.id).where(User.dm_digest.is_(True)).order_by(User.id)))


def cadences(session: Session, user_ids: list[int]) -> dict[int, str]:
    """Each member's DM digest cadence ("daily" for someone we don't know)."""
    out = dict.fromkeys(user_ids, "daily")
    for uid, cadence in session.execute(select(User.id, User.dm_cadence).where(User.id.in_(user_ids))):
        out[uid] = cadence
    return out


def _days(text: str | None) -> tuple[str, ...]:
    try:
        return parse_weekdays(text or "daily")
    except ValueError:  # stored before it was checked: every day, never none
        return WEEKDAYS


def dm_picks_limits(session: Session, settings: Settings, user_ids: list[int]) -> dict[int, tuple[int, float]]:
    """Each member's DM digest (size, bar as a score), the server defaults where they set none."""
    out = {uid: (settings.digest_size, settings.min_score) for uid in user_ids}
    for uid, size, bar in session.execute(
        select(User.id, User.digest_size, User.min_match).where(User.id.in_(user_ids))
    ):
        out[uid] = (size or settings.digest_size, settings.min_score if bar is None else score_for_match(bar))
    return out


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
