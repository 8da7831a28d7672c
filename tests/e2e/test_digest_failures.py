"""A channel digest that cannot go out as planned: rate limits, a channel the bot may not post in, a
deleted channel, no permission for threads or embeds, and a day with no new papers. Each time the
digest arrives once when it can, and the admin learns what went wrong at their next admin command."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import fakediscord.rest
import pytest
from botkit import answer
from digestkit import Clock, digest_bot, ledger, sent_papers, the_digest, thread_papers
from fakediscord.channels import delete_channel, deny_bot, set_overwrite, threads_of
from fakediscord.world import CREATE_PUBLIC_THREADS, EMBED_LINKS, SEND_MESSAGES, SEND_MESSAGES_IN_THREADS

from recommender.service import PaperService
from recommender.storage.models import IngestRun
from recommender.views import Target

pytestmark = pytest.mark.e2e

UTC = ZoneInfo("UTC")
TUESDAY = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


def setup_digest(fd, service: PaperService, channel: str = "papers") -> int:  # type: ignore[no-untyped-def]
    service.subscribe(Target.user(fd.member.id, fd.guild.id), "speech recognition")
    service.configure_digest(fd.guild.id, channel_id=fd.channel(channel).id)
    return fd.channel(channel).id


async def admin_says(fd, command: str = "digest status", **options) -> str:  # type: ignore[no-untyped-def]
    return (await answer(await fd.slash(fd.admin, "general", command, **options))).content or ""


async def test_digest_429s_on_posting_are_waited_out_then_retried_once(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    clock = Clock(TUESDAY)
    _, jobs = await digest_bot(discord_harness, service, clock)
    papers = setup_digest(fd, service)
    # Five 429s in a row: discord.py waits out each and gives up after the fifth; the digest is retried later.
    fd.inject_rate_limit("POST", f"/channels/{papers}/messages", retry_after=0.01, times=5)
    outcome = await jobs.run_channel_digest(fd.guild.id)
    assert outcome.status == "failed" and outcome.reason.name == "RATE_LIMITED"
    row = ledger(service, papers)
    assert (row.status, row.next_retry_at) == ("failed", datetime(2026, 11, 24, 7, 1))  # a minute later
    assert fd.messages(papers) == [] and sent_papers(service, papers) == []

    fd.inject_rate_limit("POST", f"/channels/{papers}/messages", retry_after=0.01, times=2)
    assert await jobs.run_retries() == 0, "not before the minute"
    clock.advance(minutes=1)
    assert await jobs.run_retries() == 1  # two more 429s, waited out by discord.py within the post
    header, thread = the_digest(fd, papers)
    assert thread is not None and thread_papers(fd, thread) == sent_papers(service, papers)
    assert [c.status for c in fd.calls("POST", f"/channels/{papers}/messages")] == [429] * 7 + [200]
    assert {c.json["nonce"] for c in fd.calls("POST", f"/channels/{papers}/messages")} == {f"pb{row.id}-head"}
    assert (ledger(service, papers).status, ledger(service, papers).attempts) == ("sent", 2)
    assert await jobs.run_retries() == 0 and len(fd.messages(papers)) == 1


async def test_digest_forbidden_channel_the_admin_is_told_once_and_it_is_posted_after_the_fix(
        discord_harness, service: PaperService, caplog: pytest.LogCaptureFixture) -> None:
    fd = discord_harness.fd
    clock = Clock(TUESDAY)
    _, jobs = await digest_bot(discord_harness, service, clock)
    papers = setup_digest(fd, service)
    await deny_bot(fd, papers, SEND_MESSAGES)  # someone changed the channel's permissions
    with caplog.at_level(logging.WARNING, logger="bot.exts.digest"):
        outcome = await jobs.run_channel_digest(fd.guild.id)
    assert outcome.status == "failed" and outcome.reason.name == "MISSING_PERMISSION"
    assert any("not delivered (MISSING_PERMISSION" in r.getMessage() for r in caplog.records), "a log line"
    assert ledger(service, papers).next_retry_at == datetime(2026, 11, 24, 8, 0)  # checked hourly

    member = await answer(await fd.slash(fd.member, "general", "topics"))
    assert "could not be posted" not in (member.content or ""), "members are not told"
    told = await admin_says(fd, "digest schedule", size=6)
    assert told.startswith("⚠️ The digest for Tue 24 Nov could not be posted in")
    assert "not allowed to post" in told and "I'll try again at 08:00 UTC" in told
    assert "could not be posted" not in await admin_says(fd, "digest schedule", size=6), "told once"
    status = await admin_says(fd)
    assert "⚠️ The digest for 2026-11-24 failed" in status and "next try at 08:00 UTC" in status

    await set_overwrite(fd, papers, fd.bot_user)  # the admin gives the permission back
    clock.advance(minutes=59)
    assert await jobs.run_retries() == 0, "not before the hour"
    clock.advance(minutes=1)
    assert await jobs.run_retries() == 1
    header, thread = the_digest(fd, papers)
    assert thread is not None and len(thread_papers(fd, thread)) == len(set(sent_papers(service, papers))) >= 1
    assert "Last failure" in await admin_says(fd) and "sent on a later try" in await admin_says(fd)


async def test_digest_deleted_channel_is_reported_and_goes_to_the_new_channel(discord_harness,
                                                                               service: PaperService) -> None:
    fd = discord_harness.fd
    clock = Clock(TUESDAY)
    _, jobs = await digest_bot(discord_harness, service, clock)
    papers = setup_digest(fd, service)
    await delete_channel(fd, papers)
    outcome = await jobs.run_channel_digest(fd.guild.id)
    assert outcome.status == "failed" and outcome.reason.name == "UNKNOWN_CHANNEL"
    told = await admin_says(fd, "digest channel", channel=fd.channel("general"))
    assert "could not be posted" in told and "no longer exists; set a new one with `/digest channel`" in told
    clock.advance(hours=1)
    assert await jobs.run_retries() == 1, "the retry goes to the server's channel now"
    header, thread = the_digest(fd, "general")
    assert thread is not None and thread_papers(fd, thread) == sent_papers(service, fd.channel("general").id)


@pytest.mark.parametrize("missing", [CREATE_PUBLIC_THREADS, SEND_MESSAGES_IN_THREADS],
                         ids=["create_public_threads", "send_messages_in_threads"])
async def test_digest_without_thread_permission_posts_in_the_channel_and_tells_the_admin(
        discord_harness, service: PaperService, missing: int, caplog: pytest.LogCaptureFixture) -> None:
    fd = discord_harness.fd
    bot, jobs = await digest_bot(discord_harness, service, Clock(TUESDAY))
    papers = setup_digest(fd, service)
    await deny_bot(fd, papers, missing)
    await fd.wait_until(lambda: bot.publisher.can_open_threads(papers) is False or None, 5, "the CHANNEL_UPDATE")
    warned = await admin_says(fd, "digest channel", channel=fd.channel("papers"))
    assert warned.startswith("📰 The daily digest will be posted in") and "I can't open threads in" in warned
    assert "follow the header in the channel" in warned
    assert "can't open threads" not in await admin_says(fd, "digest channel", channel=fd.channel("general"))
    await answer(await fd.slash(fd.admin, "general", "digest channel", channel=fd.channel("papers")))
    with caplog.at_level(logging.WARNING, logger="bot.exts.digest"):
        outcome = await jobs.run_channel_digest(fd.guild.id)
    assert outcome.status == "sent" and not outcome.in_thread
    assert any("without a thread" in r.getMessage() for r in caplog.records)
    assert threads_of(fd, papers) == []
    header, *parts = fd.messages(papers)
    assert header.content.startswith("📰") and parts
    assert thread_papers(fd, papers) == sent_papers(service, papers), "every paper, under the header"
    told = await admin_says(fd, "digest schedule", size=6)
    assert "was posted in" in told and "not in a thread" in told
    assert "Create Public Threads and Send Messages in Threads" in told
    assert "not in a thread" in await admin_says(fd), "/digest status says it too"


async def test_digest_missing_embed_links_reuses_its_header_and_thread_after_the_fix(
        discord_harness, service: PaperService, monkeypatch: pytest.MonkeyPatch) -> None:
    fd = discord_harness.fd
    clock = Clock(TUESDAY)
    _, jobs = await digest_bot(discord_harness, service, clock)
    papers = setup_digest(fd, service)
    await deny_bot(fd, papers, EMBED_LINKS)
    outcome = await jobs.run_channel_digest(fd.guild.id)
    assert outcome.status == "failed" and outcome.reason.name == "MISSING_PERMISSION"
    header, thread = the_digest(fd, papers)  # the header has no embed: it went out, and its thread
    assert thread is not None and fd.messages(thread) == [] and sent_papers(service, papers) == []

    await set_overwrite(fd, papers, fd.bot_user)
    clock.advance(hours=1)
    monkeypatch.setattr(fakediscord.rest, "NONCE_WINDOW", 0.0)  # an hour on, Discord forgot the nonces: the ledger
    assert await jobs.run_retries() == 1
    again, same = the_digest(fd, papers)
    assert (again.id, same.id) == (header.id, thread.id) and len(threads_of(fd, papers)) == 1
    assert thread_papers(fd, thread) == sent_papers(service, papers) and sent_papers(service, papers)


async def test_digest_no_new_papers_says_so_instead_of_silence(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    saturday = datetime(2026, 11, 28, 7, 0, tzinfo=UTC)
    _, jobs = await digest_bot(discord_harness, service, Clock(saturday))
    papers = setup_digest(fd, service)
    service.settings.min_score = 10.0  # nothing clears the bar
    with service.db.session() as s:
        s.add(IngestRun(source="arxiv", status="empty", empty_reason="weekend", started_at=datetime(2026, 11, 28, 6)))
    outcome = await jobs.run_channel_digest(fd.guild.id)
    assert (outcome.status, outcome.papers) == ("sent", 0)
    header, thread = the_digest(fd, papers)
    assert header.content == f"📰 <#{papers}>, Sat 28 Nov: No new papers for your topics today (weekend)."
    assert thread is None and len(fd.messages(papers)) == 1 and not header.components
    assert (await jobs.run_channel_digest(fd.guild.id)).status == "already"
