"""Exactly once with real bot processes: `paperbot run` in subprocesses against the Discord API
emulator (PAPERBOT_DISCORD_API_URL), on PostgreSQL, killed (`os._exit(9)`, as kill -9) at each point
of a digest, racing each other, down across digest time, facing Discord 5xx and cut database
connections. Every test checks, by paper id in the emulator's stored messages, that each target got
exactly one complete digest.

They need PostgreSQL (several processes on one database) and skip without
PAPERBOT_TEST_DATABASE_URL; `pytest -m faults` selects them. A test's minutes of retry back-off
pass in seconds (tests/support/fault_bot.py, PAPERBOT_FAULT_FAST).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from fakediscord import FakeDiscord
from procs import Fleet, all_sent, exactly_one_complete, ledger, messages_in, papers_in
from sqlalchemy import update

from bot.shards import shard_of
from recommender.service import PaperService
from recommender.storage.models import Digest
from recommender.views import Target

pytestmark = [
    pytest.mark.faults,
    pytest.mark.e2e,
    pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True),
]
TOPIC = "graph neural networks"


@pytest_asyncio.fixture
async def fd() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(transport="plain") as emulator:
        yield emulator


@pytest_asyncio.fixture
async def fleet(fd: FakeDiscord, service: PaperService, tmp_path: Path) -> AsyncIterator[Fleet]:
    service.settings.min_score = 0.0  # enough matching papers for 25-paper digests (the bots: the same)
    group = Fleet(fd, service, tmp_path)
    try:
        yield group
    finally:
        await group.close()


def minutes_ago(minutes: int, tz: str = "UTC") -> str:
    return (datetime.now(ZoneInfo(tz)) - timedelta(minutes=minutes)).strftime("%H:%M")


def server(fd: FakeDiscord, service: PaperService, name: str, *, size: int = 25, tz: str = "UTC",
           at: str | None = None, shard: tuple[int, int] | None = None) -> int:
    """A server in the emulator with a digest channel, one member following TOPIC, its digest time
    passed a minute ago (so a bot that starts now catches it up); returns the channel id."""
    guild = fd.world.add_guild(name, fd.owner)
    while shard is not None and shard_of(guild.id, shard[1]) != shard[0]:  # a server on that shard
        del fd.world.guilds[guild.id]
        guild = fd.world.add_guild(name, fd.owner)
    channel = fd.world.add_channel(guild, "papers")
    fd.world.add_member(guild, fd.member)
    service.subscribe(Target.user(fd.member.id, guild.id), TOPIC)
    service.member_seen(fd.member.id, guild.id)  # bob uses paperbot in this server too
    service.configure_digest(guild.id, channel_id=channel.id, size=size, time=at or minutes_ago(1, tz), timezone=tz,
                             weekdays="daily")
    return channel.id


def expire_leases(service: PaperService) -> None:
    """As if the dead workers' 2-minute leases ran out."""
    with service.db.session() as s:
        s.execute(update(Digest).where(Digest.status == "claimed").values(lease_until=datetime(2000, 1, 1)))


CRASHES = {  # where a bot dies -> messages of its digest out before it died
    "after_claim": 0, "exit_after_posts:1": 1, "exit_after_posts:2": 2, "before_record": None,
}


async def test_exactly_once_after_kill_9_at_each_point(fd: FakeDiscord, service: PaperService, fleet: Fleet) -> None:
    """Four sharded bots, each dying at one point of its own server's digest; then one bot restarts them all."""
    channels = [server(fd, service, f"Lab {i}", shard=(i, len(CRASHES))) for i in range(len(CRASHES))]
    bots = [await fleet.start(fault, PAPERBOT_SHARD_COUNT=str(len(CRASHES)), PAPERBOT_SHARD_IDS=str(i))
            for i, fault in enumerate(CRASHES)]
    for bot in bots:
        assert await bot.exited() == 9, bot.output()
    for channel, (fault, out) in zip(channels, CRASHES.items()):
        messages = messages_in(fd, channel)
        print(f"{fault}: {len(messages)} messages, {len(papers_in(fd, channel))} papers out before the crash")
        assert len(messages) == out if out is not None else len(messages) > 2, (fault, len(messages))
    with_lease = [r.status for r, _ in ledger(service)]
    assert with_lease == ["claimed"] * 4, with_lease

    expire_leases(service)
    await fleet.start()  # one bot, every shard
    await fleet.until(all_sent(service, 4), "the four digests to be completed")
    for channel in channels:
        assert len(exactly_one_complete(fd, service, channel)) == 25
