"""paperbot's real discord.py client against the Discord API emulator, end to end."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from botkit import answer, count, custom_ids, digest_jobs, start_bot
from fakediscord.channels import thread_on
from fakediscord import CommandNotVisible
from recommender.service import PaperService
from recommender.storage.models import Digest, Feedback, Subscription

pytestmark = pytest.mark.e2e

async def test_commands_sync_and_subscribe_then_recommend(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    names = {c["name"] for c in fd.commands()}
    assert {"subscribe", "unsubscribe", "topics", "recommend", "digest", "like", "dm"} <= names

    reply = await answer(await fd.slash(fd.member, "general", "subscribe", topic="graph neural networks"))
    assert "Subscribed to **graph neural networks**" in reply.content
    assert count(service, Subscription, Subscription.target_id == fd.member.id) == 1

    reply = await answer(await fd.slash(fd.member, "general", "recommend"))
    assert 1 <= len(reply.embeds) <= 5
    titles = [e["title"].lower() for e in reply.embeds]
    assert sum("graph" in t for t in titles) >= 4, titles
    assert all("graph neural networks" in e["fields"][0]["value"] for e in reply.embeds)
    ids = custom_ids(reply)
    assert ids and all(i.startswith(("pb:like:", "pb:save:", "pb:dismiss:", "pb:more:")) for i in ids)


async def test_unsubscribe_autocompletes_own_topics(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    for topic in ("graph neural networks", "speech recognition"):
        await answer(await fd.slash(fd.member, "general", "subscribe", topic=topic))
    await answer(await fd.slash(fd.admin, "general", "subscribe", topic="graph transformers"))

    choices = await fd.autocomplete(fd.member, "general", "unsubscribe", option="topic", value="gra")
    assert [c["value"] for c in choices] == ["graph neural networks"]

    reply = await answer(await fd.slash(fd.member, "general", "unsubscribe", topic="graph neural networks"))
    assert "Unsubscribed" in reply.content
    reply = await answer(await fd.slash(fd.member, "general", "unsubscribe", topic="knitting"))
    assert "You don't follow `knitting`" in reply.content and "speech recognition" in reply.content


async def test_bad_input_gets_clear_messages(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    reply = await answer(await fd.slash(fd.member, "general", "like", paper="9999.99999"))
    assert "No paper `9999.99999`" in reply.content
    reply = await answer(await fd.slash(fd.member, "general", "like", paper="not an id"))
    assert "No paper" in reply.content
    reply = await answer(await fd.slash(fd.member, "general", "recommend"))
    assert "don't follow any topics" in reply.content


async def test_feedback_button_records_a_like(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="speech recognition"))
    picks = await answer(await fd.slash(fd.member, "general", "recommend"))
    like = next(i for i in custom_ids(picks) if i.startswith("pb:like:"))
    paper_id = like.split(":", 2)[2]

    click = await fd.click(fd.member, picks, like)
    reply = await answer(click)
    assert "Liked" in reply.content and paper_id in reply.content
    assert count(service, Feedback, Feedback.user_id == fd.member.id, Feedback.paper_id == paper_id) == 1

    again = await answer(await fd.slash(fd.member, "general", "recommend"))
    assert paper_id not in " ".join(custom_ids(again)), "a liked paper is not recommended again"


async def test_digest_channel_is_admin_only(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    bot = await start_bot(discord_harness, service)
    with pytest.raises(CommandNotVisible):  # hidden from members (default_member_permissions)
        await fd.slash(fd.member, "general", "digest channel", channel=fd.channel("papers"))
    fd.set_command_permission(fd.guild, "digest", fd.guild, True)  # opened to @everyone in Integrations
    reply = await answer(await fd.slash(fd.member, "general", "digest channel", channel=fd.channel("papers")))
    assert "Manage Server" in reply.content  # still refused on the server side
    assert service.digest_settings(fd.guild.id) is None

    reply = await answer(await fd.slash(fd.admin, "general", "digest channel", channel=fd.channel("papers")))
    assert f"<#{fd.channel('papers').id}>" in reply.content
    await fd.wait_until(lambda: bot.scheduler.get_job(f"digest:{fd.guild.id}"), 5, "the digest job")

    reply = await answer(await fd.slash(fd.admin, "general", "digest channel", channel=fd.channel("announcements")))
    assert "can't post in" in reply.content
    assert service.digest_settings(fd.guild.id).channel_id == fd.channel("papers").id


async def test_scheduled_digest_is_posted_once(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    bot = await start_bot(discord_harness, service)
    papers = fd.channel("papers")
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="graph neural networks"))
    await answer(await fd.slash(fd.admin, "general", "digest channel", channel=papers))
    job = await fd.wait_until(lambda: bot.scheduler.get_job(f"digest:{fd.guild.id}"), 5, "the digest job")

    job.modify(next_run_time=datetime.now(timezone.utc))  # the cron job fires now
    posted = await fd.wait_for_message(papers, timeout=10)  # the header; the papers are in its thread
    assert "new papers** for" in posted.content and "graph neural networks" in posted.content
    thread = await fd.wait_until(lambda: thread_on(fd, posted), 10, "the day's thread")
    cards = await fd.wait_for_message(thread, timeout=10)
    assert "graph" in cards.embeds[0]["title"].lower() + cards.embeds[0]["description"].lower()
    assert custom_ids(cards)[:3] == [f"pb:{kind}:{custom_ids(cards)[0].split(':')[2]}" for kind in ("like", "dismiss", "save")]

    job.modify(next_run_time=datetime.now(timezone.utc))  # fires again the same day
    await fd.wait_until(lambda: not bot.scheduler.get_job(job.id).pending and count(service, Digest) == 1, 5, "rerun")
    await asyncio.sleep(0.3)
    assert len([m for m in fd.messages(papers)]) == 1, "nothing is posted twice"
    with service.db.session() as s:
        digest = s.scalars(select(Digest)).one()
        assert (digest.status, digest.message_id, digest.thread_id) == ("sent", posted.id, posted.id)

    reply = await answer(await fd.slash(fd.admin, "general", "digest now"))
    assert "already posted" in reply.content


async def test_digest_to_a_forbidden_channel_fails_cleanly(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    bot = await start_bot(discord_harness, service)
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="graph neural networks"))
    # The channel lost its permissions after it was configured.
    service.configure_digest(fd.guild.id, channel_id=fd.channel("announcements").id)
    outcome = await digest_jobs(bot).run_channel_digest(fd.guild.id)
    assert outcome is not None and outcome.status == "failed" and "not allowed to post" in outcome.detail
    fd.take_problems()
    with service.db.session() as s:
        assert s.scalars(select(Digest.status)).one() == "failed"

    service.configure_digest(fd.guild.id, channel_id=fd.channel("papers").id)
    retry = await digest_jobs(bot).run_channel_digest(fd.guild.id)
    assert retry is not None and retry.status == "sent"
    assert len(fd.messages(fd.channel("papers"))) == 1


async def test_personal_picks_by_dm(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    bot = await start_bot(discord_harness, service)
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="speech recognition"))
    reply = await answer(await fd.slash(fd.member, "general", "dm on", time="00:00", timezone="UTC"))
    assert "every day at 00:00 (UTC)" in reply.content

    assert await digest_jobs(bot).run_dm_sweep() == 1
    dm = await fd.wait_for_message(fd.dm_channel(fd.member), timeout=5)
    assert dm.embeds[0]["title"].startswith("📬 Your paper picks")
    assert "speech" in dm.embeds[0]["description"].lower()
    assert await digest_jobs(bot).run_dm_sweep() == 0, "one DM digest a day"


async def test_discord_enforces_the_declared_limits(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    synced = {c["name"]: c for c in fd.commands()}
    dm_on = next(o for o in synced["dm"]["options"] if o["name"] == "on")
    assert {o["name"]: o["max_length"] for o in dm_on["options"]} == {"time": 5, "timezone": 64}
    with pytest.raises(ValueError, match="timezone"):  # Discord's client refuses before sending
        await fd.slash(fd.member, "general", "dm on", timezone="Europe/" * 43)
    reply = await answer(await fd.slash(fd.member, "general", "dm on", timezone="Mars/Olympus_Mons"))
    assert "not an IANA time zone" in reply.content
