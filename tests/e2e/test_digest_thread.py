"""The channel digest end to end: at the server's time a header, then the day's thread with the papers."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from botkit import answer
from digestkit import Clock, digest_bot, ledger, sent_papers, the_digest, thread_papers

from recommender.service import PaperService
from recommender.views import Target

pytestmark = pytest.mark.e2e

BERLIN = ZoneInfo("Europe/Berlin")
PUBLIC_THREAD = 11


async def test_digest_scheduled_at_the_servers_time_posts_a_header_and_a_thread(discord_harness,
                                                                                 service: PaperService) -> None:
    fd = discord_harness.fd
    clock = Clock(datetime(2026, 11, 23, 23, 0, tzinfo=ZoneInfo("UTC")))  # Tue 24 Nov, 00:00 in Berlin
    bot, jobs = await digest_bot(discord_harness, service, clock)
    papers = fd.channel("papers")
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="speech recognition"))
    await answer(await fd.slash(fd.admin, "general", "digest channel", channel=papers))
    await answer(await fd.slash(fd.admin, "general", "digest schedule", time="08:00", timezone="Europe/Berlin",
                                weekdays="mon-fri"))
    def rescheduled():  # the cog hears of the change (an event) and moves the job
        job = bot.scheduler.get_job(f"digest:{fd.guild.id}")
        return job if job is not None and str(job.trigger.timezone) == "Europe/Berlin" else None

    job = await fd.wait_until(rescheduled, 5, "the digest job in Berlin's time")

    fire = job.trigger.get_next_fire_time(None, clock())
    assert fire == datetime(2026, 11, 24, 8, 0, tzinfo=BERLIN)  # 08:00 in Berlin, 07:00 UTC
    saturday = datetime(2026, 11, 27, 9, 0, tzinfo=BERLIN)  # Friday's passed: the next one is Monday's
    assert job.trigger.get_next_fire_time(None, saturday) == datetime(2026, 11, 30, 8, 0, tzinfo=BERLIN)

    clock.at = fire
    outcome = await job.func(*job.args)  # the cron job fires
    assert outcome.status == "sent" and outcome.in_thread
    header, thread = the_digest(fd, papers)
    total = outcome.papers
    assert 1 <= total <= 10
    assert header.content.startswith(f"📰 **{total} new papers** for <#{papers.id}>, Tue 24 Nov")
    assert "speech recognition" in header.content and not header.embeds
    assert thread is not None and thread.type == PUBLIC_THREAD and thread.parent_id == papers.id
    assert thread.name == "Papers Tue 24 Nov 2026"

    posts = fd.messages(thread)
    cards = [e for m in posts for e in m.embeds]
    assert len(cards) == total, "one compact embed per paper"
    assert [c["title"].split(".")[0] for c in cards] == [str(n) for n in range(1, total + 1)]
    assert all(len(m.embeds) <= 5 and len(m.components) == len(m.embeds) for m in posts), "a row of buttons each"
    assert thread_papers(fd, thread) == sent_papers(service, papers.id), "every paper recorded is in the thread"
    assert len(set(thread_papers(fd, thread))) == total
    assert all(c.json["enforce_nonce"] and c.json["nonce"] for c in fd.calls("POST", "/channels/*/messages"))

    row = ledger(service, papers.id)
    assert (row.status, row.day.isoformat(), row.header_id, row.thread_id) == ("sent", "2026-11-24", header.id, thread.id)

    again = await job.func(*job.args)  # fires again the same day
    assert again.status == "already"
    assert len(fd.messages(papers)) == 1 and len(fd.messages(thread)) == len(posts), "nothing posted twice"


async def test_digest_with_many_papers_posts_compact_lists_within_the_rate_limit(discord_harness,
                                                                                  service: PaperService) -> None:
    fd = discord_harness.fd
    fd.rate_limits.limit, fd.rate_limits.window = 2, 0.3  # 2 posts per 0.3 s per channel
    clock = Clock(datetime(2026, 11, 24, 7, 0, tzinfo=ZoneInfo("UTC")))
    _, jobs = await digest_bot(discord_harness, service, clock)
    service.settings.min_score = 0.0  # more matching papers than the digest's 25
    papers = fd.channel("papers")
    service.subscribe(Target.user(fd.member.id, fd.guild.id), "graph neural networks")
    service.configure_digest(fd.guild.id, channel_id=papers.id, size=25)

    outcome = await jobs.run_channel_digest(fd.guild.id)
    assert (outcome.status, outcome.papers) == ("sent", 25)
    header, thread = the_digest(fd, papers)
    assert header.content.startswith("📰 **25 new papers**")
    lists = fd.messages(thread)
    assert len(lists) == 3 and all(len(m.embeds) == 1 for m in lists), "compact lists, 10 papers a message"
    assert lists[0].embeds[0]["description"].startswith("**1. ")
    assert thread_papers(fd, thread) == sent_papers(service, papers.id) and len(set(thread_papers(fd, thread))) == 25
    posts = fd.calls("POST", f"/channels/{thread.id}/messages")
    assert [c.status for c in posts] == [200] * 3 and fd.rate_limits.limited == [], "no 429"
    assert posts[2].t - posts[0].t >= 0.29, "discord.py waited for the window, as the headers said"


async def test_digest_now_posts_the_header_and_thread_and_says_so(discord_harness, service: PaperService) -> None:
    """(`/digest now` posts the digest of the day it is run, on the real clock: nothing here depends on which.)"""
    fd = discord_harness.fd
    await digest_bot(discord_harness, service, Clock(datetime(2026, 11, 24, 7, 0, tzinfo=ZoneInfo("UTC"))))
    papers = fd.channel("papers")
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="speech recognition"))
    await answer(await fd.slash(fd.admin, "general", "digest channel", channel=papers))
    reply = await answer(await fd.slash(fd.admin, "general", "digest now"))
    assert reply.content.startswith("✅ Posted today's digest (") and "(the papers in today's thread)" in reply.content
    header, thread = the_digest(fd, papers)
    assert thread is not None and thread_papers(fd, thread) == sent_papers(service, papers.id)
