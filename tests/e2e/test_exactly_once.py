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
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from fakediscord import FakeDiscord
from procs import BotProcess, Fleet, all_sent, exactly_one_complete, ledger, messages_in, papers_in, replays
from sqlalchemy import update

from bot.shards import shard_of
from recommender.service import PaperService
from recommender.storage.models import Digest, User
from recommender.views import DigestDraft, Target

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
    now = datetime.now(ZoneInfo("UTC"))
    if (now.hour, now.minute) >= (23, 57) or (now.hour, now.minute) < (0, 3):
        pytest.skip("within 3 minutes of UTC midnight: a digest set a minute ago may belong to the other day")
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
    """Four sharded bots, each dying at one point of its own server's digest; then two bots restart
    and race to complete them."""
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
    for _ in range(2):
        await fleet.start()  # every shard
    await fleet.until(all_sent(service, 4), "the four digests to be completed")
    for channel, fault in zip(channels, CRASHES):
        assert len(exactly_one_complete(fd, service, channel)) == 25
        print(f"{fault}: completed after the restart; {replays(fd, channel)} resend(s) answered by nonce")


def member(fd: FakeDiscord, service: PaperService, name: str, tz: str = "UTC") -> int:
    """A member with a DM digest due a minute ago, following TOPIC; returns their id."""
    user = fd.user(name)
    service.subscribe(Target.user(user.id), TOPIC)
    service.set_dm_digest(user.id, True, minutes_ago(1, tz), tz)
    return user.id


def failed_before(service: PaperService, draft: DigestDraft) -> None:
    """A digest that failed earlier today (a 503), its retry due later."""
    digest_id = service.claim_digest(draft)
    assert digest_id is not None
    service.mark_digest_failed(digest_id, "Discord refused the message: 503", "DISCORD_ERROR",
                               datetime.now(ZoneInfo("UTC")).replace(tzinfo=None) + timedelta(hours=1))


async def connected(fleet: Fleet, bots: list[BotProcess]) -> None:
    await fleet.until(lambda: all("connected as" in b.output() for b in bots), "the bots to connect")


def zone_just_past_midnight() -> tuple[str, date]:
    """A fixed-offset zone where it is now between 00:00 and 04:59, and its yesterday."""
    for hours in range(-14, 13):
        name = f"Etc/GMT{hours:+d}" if hours else "UTC"
        local = datetime.now(ZoneInfo(name))
        if local.hour < 5:
            return name, local.date() - timedelta(days=1)
    raise AssertionError("no zone is just past midnight")


async def test_exactly_once_with_three_bots_racing_after_downtime(
    fd: FakeDiscord, service: PaperService, fleet: Fleet
) -> None:
    """Three bots on one database race for the same digests: 3 servers' and 2 members' that failed
    before (their retries come due at the same second in every bot), and the first claims of two
    servers whose digest time passed while no bot ran: one a minute ago, one at 23:59 yesterday in
    its time zone (it is past midnight there): each is posted once, under the day it belongs to."""
    failed = [server(fd, service, f"Lab {i}") for i in range(3)]
    fresh = server(fd, service, "Day Lab")
    zone, yesterday = zone_just_past_midnight()
    late = server(fd, service, "Night Lab", tz=zone, at="23:59")
    users = [member(fd, service, name) for name in ("alice", "owen")]
    today = datetime.now(ZoneInfo("UTC")).date()
    for channel in failed:
        failed_before(service, service.compose_channel_digest(fd.world.channels[channel].guild_id, day=today))
    for draft in service.compose_personal_digests([(uid, today) for uid in users]):
        failed_before(service, draft)
    bots = [await fleet.start() for _ in range(3)]
    await connected(fleet, bots)
    with service.db.session() as s:  # every retry due now: all bots take them up within a second
        s.execute(update(Digest).where(Digest.status == "failed").values(next_retry_at=datetime(2000, 1, 1)))
    await fleet.until(all_sent(service, 7), "every digest to be sent")
    for channel in [*failed, fresh, late]:
        exactly_one_complete(fd, service, channel)
        assert replays(fd, channel) == 0, "two bots posted the same digest (the nonce hid it)"
    for uid in users:
        exactly_one_complete(fd, service, uid, kind="user")
        assert replays(fd, fd.dm_channel(uid).id) == 0, "two bots posted the same DM digest"
    rows = {r.target_id: r for r, _ in ledger(service)}
    assert rows[late].day == yesterday and rows[fresh].day == today, (rows[late].day, rows[fresh].day)
    print(f"3 bots: attempts per digest {sorted(r.attempts for r in rows.values())}; {zone}'s 23:59 digest "
          f"of {yesterday} posted once after its midnight")


async def test_exactly_once_through_discord_errors(fd: FakeDiscord, service: PaperService, fleet: Fleet) -> None:
    """Discord answers 503 twice, then 500 after storing the message: the digest arrives once. A DM
    answered 503 once: the DM digest stays on and arrives."""
    channel = server(fd, service, "Flaky Lab")
    uid = member(fd, service, "alice")
    fd.inject_error("POST", f"/channels/{channel}/messages", status=503, times=2)
    fd.inject_error("POST", f"/channels/{channel}/messages", status=500, message="Internal Server Error",
                    after_handling=True)
    fd.inject_error("POST", f"/channels/{fd.dm_channel(uid).id}/messages", status=503)
    await fleet.start()
    await fleet.until(all_sent(service, 2), "both digests, after the errors")
    exactly_one_complete(fd, service, channel)
    exactly_one_complete(fd, service, uid, kind="user")
    with service.db.session() as s:
        assert s.get(User, uid).dm_digest is True, "a 503 must not switch the DM digest off"
    statuses = [c.status for c in fd.calls("POST", f"/channels/{channel}/messages")]
    attempts = {r.target_kind: r.attempts for r, _ in ledger(service)}
    assert statuses[:3] == [503, 503, 500] and attempts == {"channel": 3, "user": 2}, (statuses, attempts)
    print(f"channel POSTs answered {statuses}; attempts {attempts}")


async def test_exactly_once_with_database_connection_cut(fd: FakeDiscord, service: PaperService, fleet: Fleet) -> None:
    """The bot's PostgreSQL connection is terminated inside the claim's transaction and inside the
    "sent" record's: both are done again on a new connection; nothing lost, nothing twice."""
    channel = server(fd, service, "Cut Lab")
    bot = await fleet.start("cut_claim,cut_record")
    await fleet.until(all_sent(service, 1), "the digest, after both cuts")
    exactly_one_complete(fd, service, channel)
    log = bot.output()
    assert "cut the connection inside ledger.claim" in log and "cut the connection inside ledger.mark_sent" in log
    assert log.count("database connection lost") == 2, log
    assert [r.attempts for r, _ in ledger(service)] == [1]
