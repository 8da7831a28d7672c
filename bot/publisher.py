"""Deliver replies to Discord channels and DMs, turning failures into typed reasons."""

from __future__ import annotations

import asyncio

import aiohttp
import discord

from bot.context import DeliveryFailed, FailureReason, Reply

NEEDED = "View Channel, Send Messages and Embed Links"
THREAD_NAME_MAX = 100

# Discord's JSON error codes (https://discord.com/developers/docs/topics/opcodes-and-status-codes).
UNKNOWN_CHANNEL, UNKNOWN_MESSAGE, UNKNOWN_USER = 10003, 10008, 10013
MISSING_ACCESS, CANNOT_DM, MISSING_PERMISSIONS = 50001, 50007, 50013
THREAD_EXISTS = 160004  # "A thread has already been created for this message"
THREAD_ARCHIVE_MINUTES = 1440  # a day's thread stays open for a day

NETWORK_ERRORS = (aiohttp.ClientError, OSError, asyncio.TimeoutError)


def failure_reason(exc: BaseException) -> FailureReason:
    """The reason for a discord.py (or network) exception, from its type, HTTP status and Discord code."""
    if isinstance(exc, discord.RateLimited):
        return FailureReason.RATE_LIMITED
    if isinstance(exc, discord.HTTPException):
        if exc.code == CANNOT_DM:
            return FailureReason.CLOSED_DMS
        if exc.code in (UNKNOWN_CHANNEL, UNKNOWN_USER) or isinstance(exc, discord.NotFound):
            return FailureReason.UNKNOWN_CHANNEL
        if exc.code in (MISSING_ACCESS, MISSING_PERMISSIONS) or isinstance(exc, discord.Forbidden):
            return FailureReason.MISSING_PERMISSION
        if exc.status == 429:
            return FailureReason.RATE_LIMITED
        return FailureReason.DISCORD_ERROR
    if isinstance(exc, NETWORK_ERRORS):
        return FailureReason.NETWORK_ERROR
    raise TypeError(f"not a delivery failure: {exc!r}")


def _detail(exc: BaseException) -> str:
    if isinstance(exc, discord.HTTPException):
        return f"{exc.status} {exc.text}".strip() if exc.text else str(exc.status)
    return str(exc) or type(exc).__name__


def explain(reason: FailureReason, where: str, exc: BaseException) -> str:
    """What went wrong and what to do, for the admin (or the log)."""
    if reason is FailureReason.CLOSED_DMS:
        return f"{where} does not accept DMs from me"
    if reason is FailureReason.MISSING_PERMISSION:
        return f"I'm not allowed to post in {where}; give me {NEEDED} there"
    if reason is FailureReason.UNKNOWN_CHANNEL:
        return f"{where} no longer exists" + ("" if where.startswith("user") else "; set a new one with `/digest channel`")
    if reason is FailureReason.RATE_LIMITED:
        return f"Discord is rate-limiting me; {where} gets it on the next try"
    if reason is FailureReason.NETWORK_ERROR:
        return f"I could not reach Discord to post in {where} ({_detail(exc)})"
    return f"Discord refused the message for {where}: {_detail(exc)}"


def failed(exc: BaseException, where: str) -> DeliveryFailed:
    reason = failure_reason(exc)
    return DeliveryFailed(reason, explain(reason, where, exc))


class DiscordPublisher:
    def __init__(self, client: discord.Client) -> None:
        self.client = client

    def mention(self, channel_id: int) -> str:
        return f"<#{channel_id}>"

    async def _channel(self, channel_id: int) -> discord.abc.Messageable:
        channel = self.client.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.client.fetch_channel(channel_id)
            except (discord.HTTPException, discord.RateLimited, *NETWORK_ERRORS) as exc:
                raise failed(exc, f"channel <#{channel_id}>") from exc
        if not isinstance(channel, discord.abc.Messageable):
            raise DeliveryFailed(FailureReason.UNKNOWN_CHANNEL, f"<#{channel_id}> is not a text channel")
        return channel

    async def _send(self, target: discord.abc.Messageable, reply: Reply, where: str) -> int:
        try:
            # discord.py makes a random nonce per call; ours is the ledger's, so a later retry of the
            # same digest message (a 503 after Discord stored it) gets the stored message back.
            extra = {"nonce": reply.nonce} if reply.nonce else {}
            message = await target.send(**reply.send_kwargs(), **extra)
        except (discord.HTTPException, discord.RateLimited, *NETWORK_ERRORS) as exc:
            raise failed(exc, where) from exc
        return message.id

    async def to_channel(self, channel_id: int, reply: Reply) -> int | None:
        channel = await self._channel(channel_id)
        return await self._send(channel, reply, f"<#{channel_id}>")

    def can_open_threads(self, channel_id: int) -> bool | None:
        """Whether the bot may open public threads in the channel and post in them (None: unknown here)."""
        channel = self.client.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel) or channel.guild.me is None:
            return None
        perms = channel.permissions_for(channel.guild.me)
        return perms.create_public_threads and perms.send_messages_in_threads

    def can_attach_files(self, channel_id: int) -> bool | None:
        """Whether the bot may attach files (a chart) to its messages in the channel (None: unknown here)."""
        channel = self.client.get_channel(channel_id)
        if not isinstance(channel, discord.abc.GuildChannel) or channel.guild.me is None:
            return None
        return channel.permissions_for(channel.guild.me).attach_files

    async def start_thread(self, channel_id: int, message_id: int, name: str) -> int | None:
        """Start the public thread on a message of the channel; its id, or None when the bot may not
        open threads there or post in them (the caller posts in the channel instead). A thread started
        on a message has the message's id, so a second try after one was made returns that one."""
        channel = await self._channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            return None
        if self.can_open_threads(channel_id) is False:
            return None
        try:
            thread = await channel.get_partial_message(message_id).create_thread(
                name=name, auto_archive_duration=THREAD_ARCHIVE_MINUTES)
        except discord.HTTPException as exc:
            if exc.code == THREAD_EXISTS:
                return message_id
            if isinstance(exc, discord.Forbidden) or exc.code == UNKNOWN_MESSAGE:  # no thread: the header is gone
                return None
            raise failed(exc, f"<#{channel_id}>") from exc
        except (discord.RateLimited, *NETWORK_ERRORS) as exc:
            raise failed(exc, f"<#{channel_id}>") from exc
        return thread.id

    async def to_user(self, user_id: int, reply: Reply) -> int | None:
        where = f"user {user_id}"
        try:
            user = self.client.get_user(user_id) or await self.client.fetch_user(user_id)
            dm = await user.create_dm()
        except (discord.HTTPException, discord.RateLimited, *NETWORK_ERRORS) as exc:
            raise failed(exc, where) from exc
        return await self._send(dm, reply, where)

    async def open_thread(self, channel_id: int, name: str, reply: Reply) -> int | None:
        channel = await self._channel(channel_id)
        if isinstance(channel, discord.Thread):  # run inside a thread: open it beside that one
            channel = channel.parent or channel
        if not isinstance(channel, discord.TextChannel):
            raise DeliveryFailed(FailureReason.UNKNOWN_CHANNEL, "threads can only be opened in a server's text channel")
        where = f"<#{channel.id}>"
        try:
            thread = await channel.create_thread(
                name=name[:THREAD_NAME_MAX], type=discord.ChannelType.public_thread, auto_archive_duration=10080,
            )
        except (discord.HTTPException, discord.RateLimited, *NETWORK_ERRORS) as exc:
            problem = failed(exc, where)
            if problem.reason is FailureReason.MISSING_PERMISSION:
                raise DeliveryFailed(problem.reason, f"I'm not allowed to open threads in {where}; give me "
                                                     "Create Public Threads and Send Messages in Threads there") from exc
            raise problem from exc
        await self._send(thread, reply, f"<#{thread.id}>")
        return thread.id

    async def thread_exists(self, thread_id: int) -> bool:
        if self.client.get_channel(thread_id) is not None:
            return True
        try:
            await self.client.fetch_channel(thread_id)
        except discord.NotFound:
            return False
        except (discord.HTTPException, discord.RateLimited, *NETWORK_ERRORS):
            return True  # unknown: keep the thread we know of
        return True
