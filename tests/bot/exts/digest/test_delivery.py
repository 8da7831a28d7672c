"""Delivering a digest exactly once, and /digest now from the console."""

from __future__ import annotations

import io
from datetime import date

from rich.console import Console

from bot.console._repl import ConsolePublisher
from bot.context import DeliveryFailed, FailureReason, Invoker, Reply
from bot.exts.digest._delivery import deliver
from bot.registry import invoke
from recommender.service import PaperService
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
    assert f"posted in #channel-{CHANNEL}" in text and "Daily papers for Lab" in text
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
    assert out.getvalue().count("posted in") == 1
