"""Weekly digests end to end, on the test's clock: a server's, in the week's thread; a member's by DM;
switching between daily and weekly never posts a digest (or a paper) twice."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from botkit import answer
from digestkit import Clock, digest_bot, ledger, sent_papers, the_digest, thread_papers

from recommender.service import PaperService

pytestmark = pytest.mark.e2e

UTC, BERLIN = ZoneInfo("UTC"), ZoneInfo("Europe/Berlin")


def fields(reply) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {f["name"]: f["value"] for f in reply.embeds[0]["fields"]}


def headers(fd, channel) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.content.split("\n")[0] for m in fd.messages(channel) if m.content.startswith("📰")]


async def test_weekly_channel_digest_posts_the_weeks_papers_in_its_thread_once(discord_harness,
                                                                                 service: PaperService) -> None:
    fd = discord_harness.fd
    clock = Clock(datetime(2026, 11, 23, 5, 0, tzinfo=UTC))  # Mon 23 Nov, 06:00 in Berlin
    bot, jobs = await digest_bot(discord_harness, service, clock)
    papers = fd.channel("papers")
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="speech recognition"))
    await answer(await fd.slash(fd.admin, "general", "digest channel", channel=papers))
    reply = await answer(await fd.slash(fd.admin, "general", "digest schedule", cadence="weekly", day="mon",
                                        time="08:00", timezone="Europe/Berlin", size=12))
    assert "weekly, on Mon at 08:00 (Europe/Berlin)" in reply.content

    def rescheduled():  # type: ignore[no-untyped-def]
        job = bot.scheduler.get_job(f"digest:{fd.guild.id}")
        return job if job is not None and "day_of_week='mon'" in str(job.trigger) else None

    job = await fd.wait_until(rescheduled, 5, "the weekly digest job")
    fire = job.trigger.get_next_fire_time(None, clock())
    assert fire == datetime(2026, 11, 23, 8, 0, tzinfo=BERLIN)
    assert job.trigger.get_next_fire_time(None, fire.replace(hour=9)) == datetime(2026, 11, 30, 8, 0, tzinfo=BERLIN)

    clock.at = fire
    outcome = await job.func(*job.args)  # the cron job fires
    assert outcome.status == "sent" and outcome.in_thread
    header, thread = the_digest(fd, papers)
    total = outcome.papers
    assert 8 < total <= 12  # more than a daily digest's window holds for this topic
    assert header.content.startswith(f"📰 **{total} new papers this week** for <#{papers.id}>, week of Mon 23 Nov")
    assert "speech recognition" in header.content
    assert thread is not None and thread.name == "Papers of the week of Mon 23 Nov 2026"
    assert thread_papers(fd, thread) == sent_papers(service, papers.id) and len(set(thread_papers(fd, thread))) == total
    row = ledger(service, papers.id)
    assert (row.status, row.cadence, row.period, row.day) == ("sent", "weekly", date(2026, 11, 23), date(2026, 11, 23))

    status = await answer(await fd.slash(fd.admin, "general", "digest status"))
    got = fields(status)
    assert got["Cadence"] == "weekly" and got["Days"] == "mon" and status.embeds[0]["title"] == "Weekly digest settings"

    for later in ({"hours": 1}, {"days": 4, "hours": 14, "minutes": 30}):  # later that week, up to Sunday 23:30
        clock.advance(**later)
        assert (await jobs.run_channel_digest(fd.guild.id)).status == "already"  # type: ignore[union-attr]
    assert await jobs.run_retries() == 0
    assert len(fd.messages(papers)) == 1 and len(thread_papers(fd, thread)) == total, "nothing posted twice"


async def test_weekly_dm_digest_comes_on_the_members_day_once_a_week(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    clock = Clock(datetime(2026, 11, 24, 7, 0, tzinfo=UTC))  # a Tuesday
    _, jobs = await digest_bot(discord_harness, service, clock)
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="graph neural networks"))
    reply = await answer(await fd.slash(fd.member, "general", "settings", dm="on", cadence="weekly", day="wed",
                                        time="07:00", timezone="utc"))
    assert "come by DM at 07:00 (UTC), weekly, on Wed" in reply.content
    assert fields(reply)["Cadence"] == "weekly" and fields(reply)["Days"] == "wed"

    assert await jobs.run_dm_sweep() == 0, "not its day"
    clock.advance(days=1, minutes=-1)
    assert await jobs.run_dm_sweep() == 0, "a minute early"
    clock.advance(minutes=1)
    assert await jobs.run_dm_sweep() == 1
    dm = fd.dm_channel(fd.member)
    message, = fd.messages(dm)
    assert message.embeds[0]["title"] == "📬 Your papers of the week — week of Mon 23 Nov 2026"
    first = sent_papers(service, fd.member.id)
    assert first
    for day, hour in ((25, 12), (26, 7), (29, 23)):  # later that day and that week
        clock.at = datetime(2026, 11, day, hour, 0, tzinfo=UTC)
        assert await jobs.run_dm_sweep() == 0, "once a week"
    clock.at = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)  # the next Wednesday
    assert await jobs.run_dm_sweep() == 1 and len(fd.messages(dm)) == 2
    both = sent_papers(service, fd.member.id)
    assert len(both) > len(first) and len(set(both)) == len(both), "no paper twice"


async def test_weekly_and_back_to_daily_never_posts_two_digests_a_day_or_a_paper_twice(discord_harness,
                                                                                        service: PaperService) -> None:
    fd = discord_harness.fd
    clock = Clock(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))  # Mon 23 Nov, the default 08:00 UTC, mon-fri
    _, jobs = await digest_bot(discord_harness, service, clock)
    papers = fd.channel("papers")
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="speech recognition"))
    await answer(await fd.slash(fd.admin, "general", "digest channel", channel=papers))

    async def run() -> str:
        return (await jobs.run_channel_digest(fd.guild.id)).status  # type: ignore[union-attr]

    assert await run() == "sent"  # Monday's daily digest
    await answer(await fd.slash(fd.admin, "general", "digest schedule", cadence="weekly", day="mon"))
    assert await run() == "already", "the day a daily digest went out gets no weekly one"
    clock.advance(days=1)
    assert await run() == "sent"  # the week's, on Tuesday (a run after the switch, as a catch-up would)
    clock.advance(days=2)
    assert await run() == "already", "once a week"
    clock.advance(days=4)  # Mon 30 Nov
    assert await run() == "sent"
    await answer(await fd.slash(fd.admin, "general", "digest schedule", cadence="daily"))
    assert await run() == "already", "the day a weekly digest went out gets no daily one"
    clock.advance(days=1)
    assert await run() == "sent"
    assert [h.split(", ", 1)[1].split(":")[0] for h in headers(fd, papers)] == [
        "Mon 23 Nov", "week of Mon 23 Nov", "week of Mon 30 Nov", "Tue 01 Dec"]
    sent = sent_papers(service, papers.id)
    assert len(sent) == len(set(sent)), "no paper twice"
