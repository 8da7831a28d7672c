"""Helpers for the digest e2e tests: a bot whose digest jobs run on the test's clock, and readers for
what a digest left in a channel and its thread."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from botkit import digest_jobs, start_bot
from fakediscord.channels import thread_on
from sqlalchemy import select

from bot.bot import PaperBot
from bot.exts.digest._scheduler import DigestJobs
from recommender.service import PaperService
from recommender.storage.models import Digest, DigestItem


class Clock:
    """The digest jobs' clock (aware UTC), moved by the test: never the wall clock."""

    def __init__(self, at: datetime) -> None:
        self.at = at.astimezone(timezone.utc)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


async def digest_bot(harness: Any, service: PaperService, clock: Clock) -> tuple[PaperBot, DigestJobs]:
    """The bot, its scheduler paused (the test runs the jobs), its digest jobs on `clock`."""
    bot = await start_bot(harness, service)
    bot.scheduler.pause()
    jobs = digest_jobs(bot)
    jobs.clock = clock
    return bot, jobs


def thread_papers(fd: Any, thread: Any) -> list[str]:
    """The paper ids a digest posted in a channel or thread, in order, from its controls (buttons, or the
    options of a list's menu)."""
    ids: list[str] = []
    for message in fd.messages(thread):
        menu = message.find_component("pb:pick:like")
        if menu is not None:
            ids += [o["value"] for o in menu["options"]]
        else:
            ids += [c.split(":", 2)[2] for c in message.custom_ids if c.startswith("pb:like:")]
    return ids


def the_digest(fd: Any, channel: Any) -> tuple[Any, Any]:
    """The one header message in `channel` and the thread on it (None: no thread)."""
    posts = fd.messages(channel)
    headers = [m for m in posts if m.content.startswith("📰")]
    assert len(headers) == 1, [m.content[:60] for m in posts]
    return headers[0], thread_on(fd, headers[0])


def sent_papers(service: PaperService, target_id: int) -> list[str]:
    """The papers the ledger counts as sent to a target, in digest order."""
    with service.db.session() as s:
        return list(s.scalars(select(DigestItem.paper_id).join(Digest, Digest.id == DigestItem.digest_id)
                              .where(Digest.target_id == target_id, DigestItem.posted_at.is_not(None))
                              .order_by(Digest.day, DigestItem.rank)))


def ledger(service: PaperService, target_id: int) -> Digest:
    with service.db.session() as s:
        row = s.scalars(select(Digest).where(Digest.target_id == target_id)).one()
        s.expunge(row)
        return row
