"""`paperbot run` with a fault injected, for the process fault tests (tests/e2e/test_exactly_once.py).

    PAPERBOT_FAULT=exit_after_posts:2 python -m tests.support.fault_bot

The bot is the real one (the CLI's `run`, settings from the environment, pointed at the emulator
by PAPERBOT_DISCORD_API_URL); PAPERBOT_FAULT says where it dies with `os._exit(9)` (what
`kill -9` does: no cleanup, no rollback but the database's own) or which connection is cut:

- `after_claim`: right after a digest is claimed (committed), before anything is posted;
- `exit_after_posts:N`: right after the N-th message Discord accepted, before it is recorded
  (N=1: after the header, N=2: mid-digest, ...), counted over every channel and DM;
- `before_record`: every message out, the digest not yet marked sent;
- `cut_claim` / `cut_record`: the PostgreSQL connection of the claim / of the "sent" record
  is terminated from another connection (pg_terminate_backend) inside its transaction, once.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

POST_MESSAGE = "/channels/{channel_id}/messages"  # discord.py's route template: channels, threads and DMs


def _exit_after_posts(limit: int) -> None:
    from discord.http import HTTPClient

    original = HTTPClient.request
    count = 0

    async def request(self: HTTPClient, route: Any, **kwargs: Any) -> Any:
        nonlocal count
        result = await original(self, route, **kwargs)
        if route.method == "POST" and route.path == POST_MESSAGE:
            count += 1
            if count >= limit:
                print(f"fault: exit after post {count}", file=sys.stderr, flush=True)
                os._exit(9)
        return result

    HTTPClient.request = request  # type: ignore[method-assign]


def _cut(name: str) -> None:
    """Terminate the backend of the session running ledger.`name`, inside its transaction, once."""
    from recommender.picks import ledger

    original = getattr(ledger, name)
    admin = create_engine(os.environ["PAPERBOT_DATABASE_URL"], isolation_level="AUTOCOMMIT")
    done = False

    def cut_inside(session: Session, *args: Any, **kwargs: Any) -> Any:
        nonlocal done
        result = original(session, *args, **kwargs)
        if not done:
            done = True
            pid = session.execute(text("SELECT pg_backend_pid()")).scalar()
            with admin.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            print(f"fault: cut the connection inside ledger.{name}", file=sys.stderr, flush=True)
        return result

    setattr(ledger, name, cut_inside)


def _exit_around(method: str, after: bool) -> None:
    from recommender.service import PaperService

    original = getattr(PaperService, method)

    def die(self: PaperService, *args: Any, **kwargs: Any) -> Any:
        if not after:
            print(f"fault: exit before {method}", file=sys.stderr, flush=True)
            os._exit(9)
        result = original(self, *args, **kwargs)
        if result is not None:
            print(f"fault: exit after {method}", file=sys.stderr, flush=True)
            os._exit(9)
        return result

    setattr(PaperService, method, die)


def fast_clock() -> None:
    """PAPERBOT_FAULT_FAST=1: the first DM sweep at once, retries every second (on the second, in
    every process), a failed digest's first retry after a second (the test's minutes pass in seconds)."""
    from datetime import timedelta

    from bot.exts.digest import _retry, _scheduler

    _scheduler.DM_SWEEP_FIRST = timedelta(seconds=0.5)
    _scheduler.RETRY_EVERY = timedelta(seconds=1)
    _retry.FIRST_BACKOFF = timedelta(seconds=1)
    _scheduler.IntervalTrigger = _on_whole_seconds  # type: ignore[misc, assignment]


def _on_whole_seconds(**interval: Any) -> Any:
    """An interval trigger whose ticks fall on whole seconds of the wall clock, so that the retry jobs
    of several bot processes fire at the same instant and their claims really contend."""
    import math
    import time
    from datetime import datetime, timezone

    from apscheduler.triggers.interval import IntervalTrigger

    start = datetime.fromtimestamp(math.ceil(time.time()) + 1, tz=timezone.utc)
    return IntervalTrigger(**interval, start_date=start)


def install(faults: str) -> None:
    """Install the faults of a comma-separated PAPERBOT_FAULT."""
    for fault in filter(None, faults.split(",")):
        _install(fault)


def _install(fault: str) -> None:
    kind, _, arg = fault.partition(":")
    if kind == "exit_after_posts":
        _exit_after_posts(int(arg or 1))
    elif kind == "after_claim":
        _exit_around("claim_digest", after=True)
    elif kind == "before_record":
        _exit_around("mark_digest_sent", after=False)
    elif kind in ("cut_claim", "cut_record"):
        _cut("claim" if kind == "cut_claim" else "mark_sent")
    elif kind:
        raise SystemExit(f"unknown PAPERBOT_FAULT {fault!r}")


if __name__ == "__main__":
    install(os.environ.get("PAPERBOT_FAULT", ""))
    if os.environ.get("PAPERBOT_FAULT_FAST"):
        fast_clock()
    from bot.cli import main

    sys.argv = ["paperbot", "run"]
    main()
