"""Sharding: a process on some shards schedules, scores and delivers only its servers' digests
(shard = (guild_id >> 22) % count) and its members' DM digests (the same rule on the member's id)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.bot import ShardedPaperBot, make_bot
from bot.context import Reply
from bot.exts import EXTENSIONS
from bot.exts.digest._scheduler import JOB_PREFIX, DigestJobs
from bot.shards import Shards, shard_of
from recommender.config import Settings
from recommender.service import PaperService
from recommender.views import Target

TOPIC = "graph neural networks"


class Recorder:
    """A publisher that keeps what it was asked to post."""

    def __init__(self) -> None:
        self.channels: list[int] = []
        self.users: list[int] = []

    def mention(self, channel_id: int) -> str:
        return f"<#{channel_id}>"

    async def to_channel(self, channel_id: int, reply: Reply) -> int:
        self.channels.append(channel_id)
        return len(self.channels)

    async def to_user(self, user_id: int, reply: Reply) -> int:
        self.users.append(user_id)
        return len(self.users)


def test_shard_of_a_server_and_a_member() -> None:
    assert shard_of(81384788765712384, 1) == 0
    assert [shard_of(k << 22, 3) for k in range(6)] == [0, 1, 2, 0, 1, 2]
    two = Shards(4, (1, 3))
    assert [two.owns_guild(k << 22) for k in range(4)] == [False, True, False, True]
    assert two.owns(Target.channel(5, 1 << 22)) and not two.owns(Target.channel(5, 2 << 22))
    assert two.owns(Target.user(3 << 22)) and not two.owns(Target.user(0))
    assert Shards().owns(Target.channel(5, None)) and not two.owns(Target.channel(5, None))  # no server: shard 0


def test_shard_settings() -> None:
    assert Settings(_env_file=None).shards == (1, (0,))
    assert Settings(_env_file=None, shard_count=4).shards == (4, (0, 1, 2, 3))
    assert Settings(_env_file=None, shard_count=8, shard_ids="0, 2-4").shards == (8, (0, 2, 3, 4))
    with pytest.raises(ValueError, match="PAPERBOT_SHARD_IDS has shard 4, but PAPERBOT_SHARD_COUNT is 4"):
        Settings(_env_file=None, shard_count=4, shard_ids="4")
    with pytest.raises(ValueError, match="not a shard id or range"):
        Settings(_env_file=None, shard_count=4, shard_ids="one")


async def test_a_shard_delivers_only_its_own_digests(service: PaperService) -> None:
    service.settings.min_score = 0.0
    now = datetime.now(ZoneInfo("UTC"))
    guilds = [k << 22 for k in range(1, 5)]  # shards 1, 0, 1, 0 of 2
    users = [(k << 22) + 7 for k in range(1, 5)]
    for guild, user in zip(guilds, users):
        service.subscribe(Target.user(user, guild), TOPIC)
        service.configure_digest(guild, channel_id=guild + 1, time="00:00", timezone="UTC", weekdays="daily")
        service.set_dm_digest(user, True, "00:00", "UTC")
    for guild in guilds:  # every server's digest failed earlier today; the retries are due
        draft = service.compose_channel_digest(guild, day=now.date())
        digest_id = service.claim_digest(draft)
        assert digest_id is not None
        service.mark_digest_failed(digest_id, "503", "DISCORD_ERROR", now.replace(tzinfo=None) - timedelta(minutes=1))

    publisher = Recorder()
    jobs = DigestJobs(AsyncIOScheduler(timezone="UTC"), service, publisher, shards=Shards(2, (0,)))
    await jobs.sync_all(catch_up=False)
    scheduled = sorted(int(j.id.removeprefix(JOB_PREFIX)) for j in jobs.scheduler.get_jobs() if j.id.startswith(JOB_PREFIX))
    assert scheduled == [guilds[1], guilds[3]]
    await jobs.resync_guild(guilds[0])  # another shard's server changed its settings: still not ours
    assert jobs.scheduler.get_job(f"{JOB_PREFIX}{guilds[0]}") is None

    assert await jobs.run_retries() == 2
    assert sorted(set(publisher.channels)) == [guilds[1] + 1, guilds[3] + 1]
    assert await jobs.run_dm_sweep() == 2
    assert sorted(set(publisher.users)) == [users[1], users[3]]

    other = DigestJobs(AsyncIOScheduler(timezone="UTC"), service, Recorder(), shards=Shards(2, (1,)))
    assert await other.run_retries() == 2 and await other.run_dm_sweep() == 2
    assert sorted(set(other.publisher.users)) == [users[0], users[2]]  # type: ignore[attr-defined]


async def test_a_sharded_bot_connects_its_shards(discord_harness: Any, service: PaperService) -> None:
    """PAPERBOT_SHARD_COUNT=2, PAPERBOT_SHARD_IDS=1: discord.py identifies as shard 1 of 2, Discord
    (the emulator) sends that shard's servers, and the digest jobs keep to them."""
    fd = discord_harness.fd
    extra = fd.world.add_guild("Second Lab", fd.owner)
    while shard_of(extra.id, 2) == shard_of(fd.guild.id, 2):
        del fd.world.guilds[extra.id]
        extra = fd.world.add_guild("Second Lab", fd.owner)
    mine = fd.guild if shard_of(fd.guild.id, 2) == 1 else extra
    for guild in (fd.guild, extra):
        service.configure_digest(guild.id, channel_id=guild.id + 1)
    settings = service.settings.model_copy(update={"shard_count": 2, "shard_ids": "1"})
    bot = make_bot(service, settings, extensions=EXTENSIONS, guild_ready_timeout=0.1)
    assert isinstance(bot, ShardedPaperBot)
    await discord_harness.start(bot)
    assert bot.shard_count == 2 and list(bot.shards) == [1]
    assert [g.id for g in bot.guilds] == [mine.id]
    assert [s.identify["shard"] for s in fd.sessions if s.identify] == [[1, 2]]
    jobs = bot.get_cog("Digest").jobs  # type: ignore[union-attr]
    assert [j.id for j in jobs.scheduler.get_jobs() if j.id.startswith(JOB_PREFIX)] == [f"{JOB_PREFIX}{mine.id}"]


def test_only_shard_0_ingests(tmp_path: Any) -> None:
    """Several processes share the database and the index: the one with shard 0 ingests, the others
    reload the index it rewrites (recommender/stores/index.py)."""
    from bot.exts.ingest._scheduler import JOB_ID, IngestJobs

    for ids, scheduled in (("0", True), ("1", False), ("1,0", True)):
        settings = Settings(_env_file=None, data_dir=tmp_path, shard_count=2, shard_ids=ids)
        jobs = IngestJobs(AsyncIOScheduler(timezone="UTC"), None, settings)  # type: ignore[arg-type]
        jobs.schedule()
        assert (jobs.scheduler.get_job(JOB_ID) is not None) == scheduled, ids
