"""Delivering a digest exactly once, and /digest now from the console."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date
from typing import Any

from rich.console import Console
from sqlalchemy import select, update

from bot.bot import PaperBot
from bot.console._repl import ConsolePublisher
from bot.context import DeliveryFailed, FailureReason, Invoker, Reply
from bot.exts import EXTENSIONS
from bot.exts.digest._delivery import deliver
from bot.registry import invoke
from recommender.service import PaperService
from recommender.storage.models import Digest, DigestItem, User
from recommender.views import Target

GUILD, CHANNEL = 10, 20
DAY = date(2026, 7, 1)


class ClosedChannel:
    """A publisher whose channel is gone (what DiscordPublisher reports as DeliveryFailed)."""

    def mention(self, channel_id: int) -> str:
        return f"<#{channel_id}>"

    async def to_channel(self, channel_id: int, reply: Reply) -> int | None:
        raise DeliveryFailed(FailureReason.UNKNOWN_CHANNEL, "the bot can't see that channel any more")

    async def to_user(self, user_id: int, reply: Reply) -> int | None:
        raise DeliveryFailed(FailureReason.CLOSED_DMS, "this member doesn't accept DMs")


def printed() -> tuple[ConsolePublisher, io.StringIO]:
    out = io.StringIO()
    return ConsolePublisher(Console(file=out, width=120, highlight=False)), out


async def test_a_digest_is_delivered_once(service: PaperService) -> None:
    service.subscribe(Target.user(1, GUILD), "graph neural networks")
    service.configure_digest(GUILD, channel_id=CHANNEL)
    publisher, out = printed()
    draft = service.compose_channel_digest(GUILD, day=DAY)
    outcome = await deliver(service, publisher, draft, "Lab")
    assert (outcome.status, outcome.papers) == ("sent", len(draft.picks))
    text = out.getvalue()
    assert f"posted in #channel-{CHANNEL}" in text and f"{len(draft.picks)} new papers for #channel-{CHANNEL}" in text
    assert draft.picks[0].paper.title[:40] in text.replace("\n", " ") or draft.picks[0].paper.id in text
    assert service.stats()["digests_sent"] == 1

    again = await deliver(service, publisher, service.compose_channel_digest(GUILD, day=DAY), "Lab")
    assert again.status == "already"
    assert out.getvalue() == text  # nothing posted the second time


async def test_a_failed_delivery_is_retried_with_the_same_papers(service: PaperService) -> None:
    service.subscribe(Target.user(1, GUILD), "graph neural networks")
    service.configure_digest(GUILD, channel_id=CHANNEL)
    draft = service.compose_channel_digest(GUILD, day=DAY)
    failed = await deliver(service, ClosedChannel(), draft)
    assert (failed.status, failed.detail) == ("failed", "the bot can't see that channel any more")
    assert failed.reason is FailureReason.UNKNOWN_CHANNEL
    assert service.stats()["digests_sent"] == 0

    publisher, _ = printed()
    retry = service.compose_channel_digest(GUILD, day=DAY)
    assert [r.paper.id for r in retry.picks] == [r.paper.id for r in draft.picks]
    assert (await deliver(service, publisher, retry)).status == "sent"


async def test_digest_now_from_the_console(service: PaperService) -> None:
    publisher, out = printed()
    admin = Invoker(service=service, user_id=1, guild_id=GUILD, channel_id=CHANNEL, can_manage_guild=True,
                    guild_name="Lab", publisher=publisher)
    assert (await invoke(admin, "digest now")).content == "⚠️ No digest channel yet: set one with `/digest channel` first."
    await invoke(admin, "subscribe", topic="speech recognition")
    await invoke(admin, "digest channel", channel=CHANNEL)
    first = await invoke(admin, "digest now")
    assert first.content is not None and first.content.startswith("✅ Posted today's digest (8 papers)")
    second = await invoke(admin, "digest now")
    assert second.content is not None and "already posted" in second.content
    assert out.getvalue().count("8 new papers for") == 1  # one header, then the 8 papers as cards, 5 a message
    assert out.getvalue().count("posted in") == 3


# -- exactly once against the Discord emulator ---------------------------------------------------


def _ledger(service: PaperService, target_id: int) -> tuple[str, int]:
    with service.db.session() as s:
        row = s.scalars(select(Digest).where(Digest.target_id == target_id)).one()
        return row.status, row.attempts


async def test_exactly_once_a_5xx_after_discord_stored_the_message(discord_harness: Any, service: PaperService) -> None:
    """A 500 is resent by discord.py within the call; a 503 fails the call and the digest is retried later.
    Either way the resend carries the same nonce, so Discord returns the stored message: one post."""
    fd = discord_harness.fd
    bot = PaperBot(service, service.settings, extensions=EXTENSIONS, guild_ready_timeout=0.1)
    await discord_harness.start(bot)
    jobs = bot.get_cog("Digest").jobs  # type: ignore[union-attr]
    service.subscribe(Target.user(fd.member.id, fd.guild.id), "speech recognition")
    papers = fd.channel("papers")
    service.configure_digest(fd.guild.id, channel_id=papers.id)
    posts = f"/channels/{papers.id}/messages"
    fd.inject_error("POST", posts, status=503, message="Service Unavailable", after_handling=True)
    outcome = await jobs.run_channel_digest(fd.guild.id)
    assert outcome is not None and outcome.reason is FailureReason.DISCORD_ERROR
    assert len(fd.messages(papers)) == 1 and _ledger(service, papers.id) == ("failed", 1)  # stored, but we don't know
    with service.db.session() as s:  # the retry time came
        s.execute(update(Digest).values(next_retry_at=Digest.failed_at))
    fd.inject_error("POST", posts, status=500, message="Internal Server Error", after_handling=True)
    assert await jobs.run_retries() == 1
    calls = fd.calls("POST", posts)
    assert [c.status for c in calls] == [503, 500, 200]
    assert len({c.json["nonce"] for c in calls}) == 1 and all(c.json["enforce_nonce"] for c in calls)
    assert len(fd.messages(papers)) == 1
    assert _ledger(service, papers.id) == ("sent", 2)


async def test_exactly_once_a_dm_that_answers_503_once_stays_on_and_arrives(discord_harness: Any, service: PaperService) -> None:
    fd = discord_harness.fd
    bot = PaperBot(service, service.settings, extensions=EXTENSIONS, guild_ready_timeout=0.1)
    await discord_harness.start(bot)
    jobs = bot.get_cog("Digest").jobs  # type: ignore[union-attr]
    service.subscribe(Target.user(fd.member.id, fd.guild.id), "speech recognition")
    service.set_dm_digest(fd.member.id, True, "00:00", "UTC")
    fd.inject_error("POST", "/channels/*/messages", status=503, message="Service Unavailable")
    assert await jobs.run_dm_sweep() == 0
    assert _ledger(service, fd.member.id) == ("failed", 1)
    assert await jobs.run_retries() == 0  # backoff: not yet
    with service.db.session() as s:  # the minute passed
        s.execute(update(Digest).values(next_retry_at=Digest.failed_at))
    assert await jobs.run_retries() == 1
    assert await jobs.run_dm_sweep() == 0 and await jobs.run_retries() == 0
    assert _ledger(service, fd.member.id) == ("sent", 2)
    assert len([m for m in fd.messages(fd.dm_channel(fd.member)) if m.data.get("embeds")]) == 1
    with service.db.session() as s:
        assert s.get(User, fd.member.id).dm_digest
    fd.take_problems()


class Recording:
    """A publisher that keeps what it posts, and can fail from the n-th post on."""

    def __init__(self, fail_from: int | None = None) -> None:
        self.posted: list[Reply] = []
        self.fail_from = fail_from

    def mention(self, channel_id: int) -> str:
        return f"<#{channel_id}>"

    async def to_channel(self, channel_id: int, reply: Reply) -> int | None:
        if self.fail_from is not None and len(self.posted) + 1 >= self.fail_from:
            raise DeliveryFailed(FailureReason.NETWORK_ERROR, "connection reset")
        self.posted.append(reply)
        return 1000 + len(self.posted)

    async def to_user(self, user_id: int, reply: Reply) -> int | None:
        return await self.to_channel(user_id, reply)

    def paper_ids(self) -> list[str]:
        text = "\n".join(e.description or "" for r in self.posted for e in r.embeds)
        assert "more." not in text  # nothing is cut off
        lines = text.splitlines()  # an entry: "**N. title**", then "authors · `id`"
        return [lines[i + 1].split("`")[-2] for i, line in enumerate(lines) if re.match(r"\*\*\d+\. ", line)]


def _items(service: PaperService, posted: bool) -> list[str]:
    with service.db.session() as s:
        q = select(DigestItem.paper_id).where(DigestItem.posted_at.is_not(None) if posted else DigestItem.posted_at.is_(None))
        return list(s.scalars(q))


async def test_every_paper_recorded_as_sent_is_posted(service: PaperService) -> None:
    """Size 25 with more matching papers: all 25 are posted (several messages), all 25 recorded."""
    service.settings.min_score = 0.0  # more matching papers than the digest's 25
    service.subscribe(Target.user(1, GUILD), "graph neural networks")
    service.configure_digest(GUILD, channel_id=CHANNEL, size=25)
    draft = service.compose_channel_digest(GUILD, day=DAY)
    assert len(draft.picks) == 25 and draft.candidates > 25
    publisher = Recording()
    outcome = await deliver(service, publisher, draft, "Lab")
    assert (outcome.status, outcome.papers) == ("sent", 25)
    picks = [r.paper.id for r in draft.picks]
    assert publisher.paper_ids() == picks
    header, *lists = publisher.posted
    assert header.content.startswith("📰 **25 new papers** for <#20>") and not header.embeds
    assert len(lists) == 3 and all(len(r.embeds[0]) <= 6000 for r in lists)
    assert len({r.nonce for r in publisher.posted}) == 4
    assert sorted(_items(service, posted=True)) == sorted(picks)


async def test_exactly_once_an_interrupted_digest_is_completed_not_restarted(service: PaperService) -> None:
    service.settings.min_score = 0.0  # more matching papers than the digest's 25
    service.subscribe(Target.user(1, GUILD), "graph neural networks")
    service.configure_digest(GUILD, channel_id=CHANNEL, size=25)
    draft = service.compose_channel_digest(GUILD, day=DAY)
    broken = Recording(fail_from=3)  # the header and the first list go out, then the connection drops
    outcome = await deliver(service, broken, draft, "Lab")
    assert (outcome.status, outcome.papers, outcome.reason) == ("failed", 10, FailureReason.NETWORK_ERROR)
    first = broken.paper_ids()
    assert first == [r.paper.id for r in draft.picks[:10]]
    assert sorted(_items(service, posted=True)) == sorted(first) and len(_items(service, posted=False)) == 15

    retry = service.compose_channel_digest(GUILD, day=DAY)
    fixed = Recording()
    assert (await deliver(service, fixed, retry, "Lab")).status == "sent"
    rest = fixed.paper_ids()
    assert not any(r.content for r in fixed.posted), "the header is not posted again"
    assert len(rest) == 15 and not set(first) & set(rest)  # completed to 25, nothing posted twice
    head = fixed.posted[0].embeds[0]
    assert "(continued)" in (head.title or "") and (head.description or "").startswith("**11. ")
    assert sorted(_items(service, posted=True)) == sorted(first + rest) and _items(service, posted=False) == []
    assert (await deliver(service, Recording(), service.compose_channel_digest(GUILD, day=DAY))).status == "already"


async def test_a_digest_header_with_the_chart_in_the_console(service: PaperService, tmp_path) -> None:
    service.subscribe(Target.user(1, GUILD), "graph neural networks")
    service.configure_digest(GUILD, channel_id=CHANNEL)
    service.member_seen(1, GUILD)
    service.feedback(1, service.search("graph neural networks", limit=1)[0].paper.id, "save")
    out = io.StringIO()
    publisher = ConsolePublisher(Console(file=out, width=200, highlight=False), tmp_path / "exports")
    outcome = await deliver(service, publisher, service.compose_channel_digest(GUILD, day=DAY), "Lab", chart_weeks=2)
    assert outcome.status == "sent"
    chart = tmp_path / "exports" / "activity.png"
    text = " ".join(out.getvalue().split())
    assert f"📎 saved activity.png ({chart.stat().st_size:,} bytes) to {chart}" in text
    assert text.index("new papers for") < text.index("saved activity.png")  # under the header
    assert chart.read_bytes().startswith(b"\x89PNG")


async def test_a_weekly_digest_header_carries_the_chart_and_a_daily_one_does_not(service: PaperService) -> None:
    service.subscribe(Target.user(1, GUILD), "graph neural networks")
    service.member_seen(1, GUILD)
    service.feedback(1, service.search("graph neural networks", limit=1)[0].paper.id, "like")
    service.configure_digest(GUILD, channel_id=CHANNEL)
    daily = Recording()
    assert (await deliver(service, daily, service.compose_channel_digest(GUILD, day=DAY), "Lab")).status == "sent"
    assert not daily.posted[0].files, "a daily digest's header is text only"

    service.configure_digest(GUILD, cadence="weekly", day="fri")
    weekly = Recording()
    draft = service.compose_channel_digest(GUILD, day=date(2026, 7, 3))
    assert draft.weekly and (await deliver(service, weekly, draft, "Lab")).status == "sent"
    header = weekly.posted[0]
    assert "this week" in (header.content or "") and len(header.files) == 1
    assert header.files[0].data.startswith(b"\x89PNG")


async def test_a_resumed_digest_posts_what_the_ledger_planned_in_its_order(service: PaperService) -> None:
    service.settings.min_score = 0.0
    service.subscribe(Target.user(1, GUILD), "graph neural networks")
    service.configure_digest(GUILD, channel_id=CHANNEL, size=25)
    draft = service.compose_channel_digest(GUILD, day=DAY)
    planned = [r.paper.id for r in draft.picks]
    assert (await deliver(service, Recording(fail_from=3), draft, "Lab")).status == "failed"  # 10 of 25 posted

    # Composed again after the crash, the ranking moved: near-ties swapped, one planned paper gone.
    again = service.compose_channel_digest(GUILD, day=DAY)
    moved = list(reversed(again.picks))
    gone = next(r for r in moved if r.paper.id in planned[10:])
    moved.remove(gone)
    fixed = Recording()
    assert (await deliver(service, fixed, replace(again, picks=moved), "Lab")).status == "sent"
    assert fixed.paper_ids() == planned[10:], "the rest as planned: in the ledger's order, none dropped"
    assert gone.paper.id in fixed.paper_ids()
    assert sorted(_items(service, posted=True)) == sorted(planned)
