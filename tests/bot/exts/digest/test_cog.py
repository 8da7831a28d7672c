"""Digest settings changes are announced as an event; the digest cog listens and resyncs the job."""

from __future__ import annotations

from typing import Any

from bot.bot import PaperBot
from bot.context import Invoker
from bot.exts import EXTENSIONS
from bot.registry import invoke
from recommender.service import PaperService

GUILD, CHANNEL = 10, 20


async def test_settings_commands_announce_the_change(bare_service: PaperService) -> None:
    events: list[tuple[str, tuple[Any, ...]]] = []
    admin = Invoker(service=bare_service, user_id=1, guild_id=GUILD, can_manage_guild=True,
                    dispatch=lambda event, *args: events.append((event, args)))
    await invoke(admin, "digest channel", channel=CHANNEL)
    await invoke(admin, "digest schedule", time="07:15")
    await invoke(admin, "digest status")  # reads only
    await invoke(admin, "digest off")
    assert events == [("digest_settings_changed", (GUILD,))] * 3
    member = Invoker(service=bare_service, user_id=2, guild_id=GUILD, dispatch=lambda *a: events.append(a))
    await invoke(member, "digest channel", channel=CHANNEL)  # refused: nothing changed, nothing announced
    assert len(events) == 3


async def test_the_cog_resyncs_the_job_on_the_event(discord_harness: Any, service: PaperService) -> None:
    fd = discord_harness.fd
    bot = PaperBot(service, service.settings, extensions=EXTENSIONS, guild_ready_timeout=0.1)
    await discord_harness.start(bot)
    job_id = f"digest:{fd.guild.id}"
    assert bot.scheduler.get_job(job_id) is None and not hasattr(bot, "digest_jobs")

    service.configure_digest(fd.guild.id, channel_id=fd.channel("papers").id, time="06:45", timezone="Asia/Tokyo")
    bot.dispatch("digest_settings_changed", fd.guild.id)
    job = await fd.wait_until(lambda: bot.scheduler.get_job(job_id), 5, "the digest job")
    assert str(job.trigger.timezone) == "Asia/Tokyo" and "hour='6', minute='45'" in str(job.trigger)

    service.configure_digest(fd.guild.id, enabled=False)
    bot.dispatch("digest_settings_changed", fd.guild.id)
    await fd.wait_until(lambda: bot.scheduler.get_job(job_id) is None or None, 5, "the job removed")

    await bot.unload_extension("bot.exts.digest")  # the jobs go with the feature
    assert not [j for j in bot.scheduler.get_jobs() if j.id.startswith("digest:") or j.id == "dm-sweep"]
