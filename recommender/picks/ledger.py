"""The delivery ledger: who may post a (target, day) digest, and what was posted.

One row per target and day (`Digest`), and per target, cadence and period: a
daily digest's period is its day, a weekly digest's the Monday of its ISO week,
so a weekly digest is posted once a week, and no target ever gets two digests
on one day (a weekly and a daily one after a switch). A worker *claims* it with one atomic
statement (an `INSERT … ON CONFLICT DO NOTHING`, else a conditional `UPDATE …
RETURNING` that only matches a failed digest or a claim whose lease expired), so of any number of racing workers, on SQLite or PostgreSQL, exactly
one wins. The winner holds a lease until `lease_until`; if it dies, the digest is
claimable again once the lease expires. A paper counts as sent (and is excluded
from later digests) only once `posted_at` is set.

A channel digest is a header message, then a thread started on it with the
papers: `header_id` and `thread_id` record each once it exists, so a resumed
digest reuses them (one header, one thread). The admins of the server are told
once about each failed digest (and about one posted without a thread):
`notices` hands each such row to one admin command only.
"""

from __future__ import annotations

import os
import secrets
import socket
from datetime import date, datetime, timedelta

from sqlalchemy import Update, and_, delete, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from recommender.storage.models import Digest, DigestItem, utcnow
from recommender.views import DigestDraft, LedgerEntry, Target

CLAIMED, SENT, FAILED = "claimed", "sent", "failed"
# Short enough that a dead worker's digest is re-sent while Discord still remembers its nonces
# (a few minutes), so the resend of a message that did go out returns it instead of posting it
# again; each posted part renews the lease.
LEASE = timedelta(minutes=2)
NO_SYNC = {"synchronize_session": False}


def worker_id() -> str:
    """A name for this process's leases: host, pid and a random part (pids repeat across restarts)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


def _key(draft: DigestDraft) -> tuple:  # type: ignore[type-arg]
    """The digest's own row: its target, cadence and period (its day, or its week)."""
    target = draft.target
    return (Digest.target_kind == target.kind, Digest.target_id == target.id, Digest.cadence == draft.cadence,
            Digest.period == draft.period)


def claim(
    session: Session, draft: DigestDraft, owner: str, *, lease: timedelta = LEASE, now: datetime | None = None
) -> int | None:
    """Take the (target, period) digest for `owner`; its id, or None when it is sent or someone else holds
    it, or when the target already has another digest that day (a daily one, and a weekly one after a switch).

    A failed digest can be taken by any attempt (the scheduled run, `/digest now`, the retry job at
    `next_retry_at`); a claimed one only once its lease expired.
    """
    now = now or utcnow()
    until = now + lease
    target = draft.target
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    fresh = (
        insert(Digest)
        .values(target_kind=target.kind, target_id=target.id, guild_id=target.guild_id, day=draft.day,
                cadence=draft.cadence, period=draft.period, status=CLAIMED, lease_owner=owner, lease_until=until,
                attempts=1, created_at=now)
        .on_conflict_do_nothing()  # either key: (target, day) or (target, cadence, period)
        .returning(Digest.id)
    )
    digest_id = session.execute(fresh).scalar()
    if digest_id is None:
        takeable = or_(
            and_(Digest.status == CLAIMED, or_(Digest.lease_until.is_(None), Digest.lease_until < now)),
            Digest.status == FAILED,
        )
        other = aliased(Digest)  # another digest of the target that day: a weekly one is not taken then
        same_day = exists().where(other.target_kind == target.kind, other.target_id == target.id,
                                  other.day == draft.day, other.id != Digest.id)
        retake = (
            update(Digest)
            .where(*_key(draft), takeable, ~same_day)
            # A weekly digest taken again on another day of its week belongs to that day now (retries end with it).
            .values(status=CLAIMED, lease_owner=owner, lease_until=until, attempts=Digest.attempts + 1,
                    next_retry_at=None, guild_id=target.guild_id, day=draft.day)
            .returning(Digest.id)
            .execution_options(**NO_SYNC)
        )
        digest_id = session.execute(retake).scalar()
        if digest_id is None:
            return None
    planned = session.execute(select(DigestItem.paper_id, DigestItem.posted_at).where(DigestItem.digest_id == digest_id)).all()
    posted = {pid for pid, when in planned if when is not None}
    announced = session.scalar(select(Digest.header_id).where(Digest.id == digest_id)) is not None
    if posted or announced:
        # An interrupted digest is completed as planned, in the planned order: a message may have reached
        # Discord unrecorded, and its nonce brings back what it carried, not what a new ranking would.
        session.flush()
        return int(digest_id)
    picks = list(draft.picks)  # nothing of it out yet: planned anew
    session.execute(delete(DigestItem).where(DigestItem.digest_id == digest_id, DigestItem.posted_at.is_(None)))
    session.add_all(
        DigestItem(digest_id=digest_id, paper_id=pick.paper.id, rank=rank_no, score=pick.score)
        for rank_no, pick in enumerate(picks, start=len(posted) + 1)
    )
    session.flush()
    return int(digest_id)


def plan(session: Session, digest_id: int) -> tuple[int, list[str]]:
    """(how many papers of the digest were posted, the ones still to post in order)."""
    rows = session.execute(
        select(DigestItem.paper_id, DigestItem.posted_at).where(DigestItem.digest_id == digest_id).order_by(DigestItem.rank)
    ).all()
    return sum(when is not None for _, when in rows), [pid for pid, when in rows if when is None]


def mark_posted(
    session: Session, digest_id: int, paper_ids: list[str], owner: str, now: datetime | None = None
) -> None:
    """Record papers as posted (part of a digest reached Discord) and renew `owner`'s lease."""
    now = now or utcnow()
    if paper_ids:
        session.execute(
            update(DigestItem)
            .where(DigestItem.digest_id == digest_id, DigestItem.paper_id.in_(paper_ids), DigestItem.posted_at.is_(None))
            .values(posted_at=now)
            .execution_options(**NO_SYNC)
        )
    session.execute(_renew(digest_id, owner, now))


def _renew(digest_id: int, owner: str, now: datetime, **values: object) -> Update:
    """Renew `owner`'s lease (and set `values`), if it still holds the claim."""
    return (
        update(Digest).where(Digest.id == digest_id, Digest.status == CLAIMED, Digest.lease_owner == owner)
        .values(lease_until=now + LEASE, **values).execution_options(**NO_SYNC)
    )


def mark_header(session: Session, digest_id: int, header_id: int, owner: str, now: datetime | None = None) -> None:
    """The header message of a channel digest is out (a resumed digest does not post another)."""
    session.execute(_renew(digest_id, owner, now or utcnow(), header_id=header_id))


def mark_thread(session: Session, digest_id: int, thread_id: int, owner: str, now: datetime | None = None) -> None:
    """Where the digest's papers go: the day's thread, or the channel's own id when there is no thread."""
    session.execute(_renew(digest_id, owner, now or utcnow(), thread_id=thread_id))


def entry(session: Session, digest_id: int) -> LedgerEntry | None:
    row = session.get(Digest, digest_id)
    return _entry(row) if row is not None else None


NO_THREAD = "NO_THREAD"  # what the admins are told about a digest posted in its channel, not in a thread


def _owed(row: Digest) -> str | None:
    if row.status == FAILED:
        return row.reason or FAILED
    if row.status == SENT and row.thread_id is not None and row.thread_id == row.target_id:
        return NO_THREAD
    return None


def notices(session: Session, guild_id: int, days: int = 2) -> list[LedgerEntry]:
    """The server's channel digests its admins were not told about yet: failed ones, and ones posted
    without a thread, of its newest `days` + 1 digest days. Each is handed out once (a conditional update
    per row, so of two admins' concurrent commands only one gets it)."""
    mine = (Digest.target_kind == "channel", Digest.guild_id == guild_id)
    newest = session.scalar(select(func.max(Digest.day)).where(*mine))
    if newest is None:
        return []
    rows = session.scalars(
        select(Digest).where(*mine, Digest.day >= newest - timedelta(days=days)).order_by(Digest.day, Digest.id)
    ).all()
    owed: list[LedgerEntry] = []
    for row in rows:
        key = _owed(row)
        if key is None or row.notified == key:
            continue
        won = session.execute(
            update(Digest).where(Digest.id == row.id, or_(Digest.notified.is_(None), Digest.notified != key))
            .values(notified=key).returning(Digest.id).execution_options(**NO_SYNC)
        ).scalar()
        if won is not None:
            owed.append(_entry(row))
    return owed


def mark_sent(session: Session, digest_id: int, message_id: int | None, now: datetime | None = None) -> None:
    """The whole digest was posted: every paper counts as sent. Recorded even after the lease ran out,
    since the message is out."""
    now = now or utcnow()
    session.execute(
        update(DigestItem).where(DigestItem.digest_id == digest_id, DigestItem.posted_at.is_(None))
        .values(posted_at=now).execution_options(**NO_SYNC)
    )
    session.execute(
        update(Digest).where(Digest.id == digest_id, Digest.status != SENT)
        .values(status=SENT, message_id=message_id, sent_at=now, lease_owner=None, lease_until=None, next_retry_at=None)
        .execution_options(**NO_SYNC)
    )


def mark_failed(
    session: Session, digest_id: int, owner: str, reason: str, error: str, retry_at: datetime | None,
    now: datetime | None = None,
) -> bool:
    """The post failed: keep why and when, and when to retry (None: not
    automatically). False when `owner` no longer holds the claim (nothing is changed then)."""
    now = now or utcnow()
    done = session.execute(
        update(Digest).where(Digest.id == digest_id, Digest.status == CLAIMED, Digest.lease_owner == owner)
        .values(status=FAILED, reason=reason[:24], error=error[:2000], failed_at=now, next_retry_at=retry_at,
                lease_owner=None, lease_until=None)
        .returning(Digest.id).execution_options(**NO_SYNC)
    ).scalar()
    # The papers not posted stay planned (so a retry completes this digest) but do not count as sent.
    return done is not None


def _entry(row: Digest) -> LedgerEntry:
    target = Target(row.target_kind, row.target_id, row.guild_id)  # type: ignore[arg-type]
    return LedgerEntry(row.id, target, row.day, row.status, row.attempts, row.reason, row.error, row.failed_at,
                       row.next_retry_at, row.sent_at, row.header_id, row.thread_id, row.cadence)


def due(session: Session, since: date, now: datetime | None = None) -> list[LedgerEntry]:
    """Digests of days from `since` on that should be (re)tried at `now`: failed ones whose retry time
    came, and claims whose worker's lease expired (it died or lost its connection). Leases are measured
    on the real clock, whatever `now` is (a scheduler's clock in tests)."""
    wall = utcnow()
    now = now or wall
    rows = session.scalars(
        select(Digest).where(
            Digest.day >= since,
            or_(
                and_(Digest.status == FAILED, Digest.next_retry_at.is_not(None), Digest.next_retry_at <= now),
                and_(Digest.status == CLAIMED, or_(Digest.lease_until.is_(None), Digest.lease_until < wall)),
            ),
        ).order_by(Digest.day, Digest.id)
    )
    return [_entry(r) for r in rows]


def latest(session: Session, target: Target) -> LedgerEntry | None:
    """The newest ledger row of a target (for `/digest status`)."""
    row = session.scalars(
        select(Digest).where(Digest.target_kind == target.kind, Digest.target_id == target.id)
        .order_by(Digest.day.desc()).limit(1)
    ).first()
    return _entry(row) if row is not None else None


def last_failure(session: Session, target: Target) -> LedgerEntry | None:
    """The newest digest of a target that failed (even if a later retry got it out)."""
    row = session.scalars(
        select(Digest).where(Digest.target_kind == target.kind, Digest.target_id == target.id,
                             Digest.failed_at.is_not(None))
        .order_by(Digest.failed_at.desc()).limit(1)
    ).first()
    return _entry(row) if row is not None else None


def failures(session: Session, since: date, limit: int = 20) -> list[LedgerEntry]:
    """Digests of days from `since` on that are failed now, newest first (for `paperbot doctor`)."""
    rows = session.scalars(
        select(Digest).where(Digest.day >= since, Digest.status == FAILED)
        .order_by(Digest.failed_at.desc(), Digest.id.desc()).limit(limit)
    )
    return [_entry(r) for r in rows]
