"""When a failed digest is tried again: soon for passing trouble, rarely for what an admin must fix."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.context import FailureReason

# 5xx, 429 and network errors: 1, 2, 4, … minutes, at most an hour apart.
TRANSIENT = (FailureReason.RATE_LIMITED, FailureReason.DISCORD_ERROR, FailureReason.NETWORK_ERROR)
FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=1)
# A missing permission or channel: try again now and then, in case it was fixed.
FIX_CHECK = timedelta(hours=1)


def utc_now() -> datetime:
    """Now as naive UTC, the ledger's clock."""
    return datetime.now(ZoneInfo("UTC")).replace(tzinfo=None)


def day_end(day: date, timezone: str) -> datetime:
    """The end of the digest's day in its time zone, as naive UTC (the database's times)."""
    local = datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(timezone))
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def retry_at(reason: FailureReason, attempts: int, now: datetime, end: datetime) -> datetime | None:
    """The next try (naive UTC) after `attempts` failed tries, or None: not again (closed DMs, or the day is over)."""
    if reason is FailureReason.CLOSED_DMS:
        return None
    if reason in TRANSIENT:
        wait = min(FIRST_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)
    else:
        wait = FIX_CHECK
    when = min(now + wait, end - FIRST_BACKOFF)  # a last try just before the day ends
    return when if when > now else None
