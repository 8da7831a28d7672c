"""DiscordPublisher: delivery failures get a typed reason from the exception and Discord's error code."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import discord
import pytest
from fakediscord.world import VIEW_CHANNEL

from bot.context import DeliveryFailed, FailureReason, Reply
from bot.publisher import DiscordPublisher, failure_reason

REPLY = Reply(content="today's papers", ephemeral=False)


class FakeResponse:
    """What discord.HTTPException reads from an aiohttp response (as discord.py's own tests do)."""

    def __init__(self, status: int, reason: str = "") -> None:
        self.status, self.reason = status, reason


def http_error(cls: type[discord.HTTPException], status: int, code: int, message: str = "") -> discord.HTTPException:
    return cls(FakeResponse(status), {"code": code, "message": message})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (http_error(discord.Forbidden, 403, 50007, "Cannot send messages to this user"), FailureReason.CLOSED_DMS),
        (http_error(discord.Forbidden, 403, 50001, "Missing Access"), FailureReason.MISSING_PERMISSION),
        (http_error(discord.Forbidden, 403, 50013, "Missing Permissions"), FailureReason.MISSING_PERMISSION),
        (http_error(discord.Forbidden, 403, 0), FailureReason.MISSING_PERMISSION),
        (http_error(discord.NotFound, 404, 10003, "Unknown Channel"), FailureReason.UNKNOWN_CHANNEL),
        (http_error(discord.NotFound, 404, 10013, "Unknown User"), FailureReason.UNKNOWN_CHANNEL),
        (http_error(discord.HTTPException, 429, 0, "You are being rate limited."), FailureReason.RATE_LIMITED),
        (discord.RateLimited(120.0), FailureReason.RATE_LIMITED),
        (http_error(discord.DiscordServerError, 503, 0, "Service Unavailable"), FailureReason.DISCORD_ERROR),
        (http_error(discord.HTTPException, 400, 50035, "Invalid Form Body"), FailureReason.DISCORD_ERROR),
        # The text alone never decides: "DMs" in a 400 is still a Discord error.
        (http_error(discord.HTTPException, 400, 0, "Cannot send DMs right now"), FailureReason.DISCORD_ERROR),
        (aiohttp.ClientConnectionError("connection reset"), FailureReason.NETWORK_ERROR),
        (asyncio.TimeoutError(), FailureReason.NETWORK_ERROR),
        (OSError(101, "Network is unreachable"), FailureReason.NETWORK_ERROR),
    ],
)
def test_reason_of_each_exception(exc: BaseException, reason: FailureReason) -> None:
    assert failure_reason(exc) is reason


def test_other_exceptions_are_bugs_not_delivery_failures() -> None:
    with pytest.raises(TypeError):
        failure_reason(KeyError("a bug"))


async def started(harness: Any, **options: Any) -> DiscordPublisher:
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.1, **options)
    await harness.start(client)
    return DiscordPublisher(client)


async def failure(call: Any) -> DeliveryFailed:
    with pytest.raises(DeliveryFailed) as caught:
        await call
    return caught.value


async def test_channel_posts_and_their_failures(discord_harness: Any) -> None:
    fd = discord_harness.fd
    hidden = fd.world.add_channel(fd.guild, "hidden", overwrites=[
        {"id": str(fd.bot_user.id), "type": 1, "allow": "0", "deny": str(VIEW_CHANNEL)}])
    publisher = await started(discord_harness)

    message_id = await publisher.to_channel(fd.channel("general").id, REPLY)
    assert fd.message(message_id).content == "today's papers"

    refused = await failure(publisher.to_channel(fd.channel("announcements").id, REPLY))  # 403 50013
    assert refused.reason is FailureReason.MISSING_PERMISSION and "not allowed to post" in str(refused)
    unseen = await failure(publisher.to_channel(hidden.id, REPLY))  # 403 50001
    assert unseen.reason is FailureReason.MISSING_PERMISSION
    gone = await failure(publisher.to_channel(424242, REPLY))  # 404 10003
    assert gone.reason is FailureReason.UNKNOWN_CHANNEL and "/digest channel" in str(gone)

    fd.inject_error("POST", "/channels/*/messages", status=503, message="Service Unavailable")
    down = await failure(publisher.to_channel(fd.channel("general").id, REPLY))
    assert down.reason is FailureReason.DISCORD_ERROR and "503" in str(down)
    fd.inject_error("POST", "/channels/*/messages", status=400, code=50035, message="Invalid Form Body")
    bad = await failure(publisher.to_channel(fd.channel("general").id, REPLY))
    assert bad.reason is FailureReason.DISCORD_ERROR
    fd.inject_rate_limit("POST", "/channels/*/messages", retry_after=0.01, times=5)  # discord.py gives up after 5
    limited = await failure(publisher.to_channel(fd.channel("general").id, REPLY))
    assert limited.reason is FailureReason.RATE_LIMITED
    assert len(fd.messages(fd.channel("general"))) == 1


async def test_a_long_rate_limit_is_not_waited_out(discord_harness: Any) -> None:
    fd = discord_harness.fd
    publisher = await started(discord_harness, max_ratelimit_timeout=30.0)
    fd.inject_rate_limit("POST", "/channels/*/messages", retry_after=600.0)
    limited = await failure(publisher.to_channel(fd.channel("general").id, REPLY))
    assert limited.reason is FailureReason.RATE_LIMITED


async def test_dms(discord_harness: Any) -> None:
    fd = discord_harness.fd
    publisher = await started(discord_harness)
    assert await publisher.to_user(fd.member.id, REPLY) is not None
    assert fd.messages(fd.dm_channel(fd.member))[0].content == "today's papers"

    fd.member.dms_open = False  # 403 50007 "Cannot send messages to this user"
    closed = await failure(publisher.to_user(fd.member.id, REPLY))
    assert closed.reason is FailureReason.CLOSED_DMS and "does not accept DMs" in str(closed)

    fd.member.dms_open = True
    fd.inject_error("POST", "/channels/*/messages", status=503)
    assert (await failure(publisher.to_user(fd.member.id, REPLY))).reason is FailureReason.DISCORD_ERROR
    unknown = await failure(publisher.to_user(999999, REPLY))  # no such user: 404 10013
    assert unknown.reason is FailureReason.UNKNOWN_CHANNEL
