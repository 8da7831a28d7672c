"""What every command action gets (`Invoker`) and returns (`Reply`).

Slash-command cogs and the local console both build an Invoker and call the
same actions, so the console prints exactly what the bot would post.
"""

from __future__ import annotations

import asyncio
import enum
import functools
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import discord

from recommender.service import PaperService

T = TypeVar("T")


class FailureReason(enum.Enum):
    """Why a message could not be delivered; decisions are made on this, never on the text."""

    CLOSED_DMS = "the member does not accept DMs from the bot"
    MISSING_PERMISSION = "the bot lacks a permission in the channel"
    UNKNOWN_CHANNEL = "the channel (or user) is gone or is not a text channel"
    RATE_LIMITED = "Discord rate-limited the bot"
    DISCORD_ERROR = "Discord refused the message or failed (HTTP error)"
    NETWORK_ERROR = "Discord could not be reached"


class DeliveryFailed(RuntimeError):
    """A message could not be delivered: a typed reason, and a text for the admin."""

    def __init__(self, reason: FailureReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def ignore_event(event: str, /, *args: Any) -> None:
    """The dispatcher outside Discord: no feature listens there, so events go nowhere."""


Dispatch = Callable[..., None]


class Publisher(Protocol):
    """Where digests go: Discord channels and DMs, or the local console."""

    async def to_channel(self, channel_id: int, reply: Reply) -> int | None: ...

    async def to_user(self, user_id: int, reply: Reply) -> int | None: ...

    def mention(self, channel_id: int) -> str: ...

    async def open_thread(self, channel_id: int, name: str, reply: Reply) -> int | None:
        """Open a public thread in a channel (or beside the thread it is run in) and post `reply` in it."""
        ...

    async def thread_exists(self, thread_id: int) -> bool: ...


@dataclass
class Invoker:
    service: PaperService
    user_id: int
    guild_id: int | None = None
    channel_id: int | None = None
    can_manage_guild: bool = False
    guild_name: str = ""
    publisher: Publisher | None = None
    dispatch: Dispatch = ignore_event  # `bot.dispatch` in Discord: announce e.g. ("digest_settings_changed", guild_id)

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking service call in a worker thread, off the event loop."""
        return await asyncio.to_thread(functools.partial(fn, *args, **kwargs))


@dataclass(frozen=True)
class Attachment:
    """A file sent with a reply (e.g. `/export`): its name and bytes."""

    filename: str
    data: bytes

    def file(self) -> discord.File:
        return discord.File(io.BytesIO(self.data), filename=self.filename)


@dataclass
class Reply:
    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    view: discord.ui.View | None = None
    files: list[Attachment] = field(default_factory=list)
    ephemeral: bool = True
    # Posted with enforce_nonce (discord.py sets it with a nonce): a resend within minutes returns the
    # stored message instead of posting twice. Only for channel/DM posts, not interaction responses.
    nonce: str | None = None
    failed: bool = False  # the command was refused or failed (the console's exit code says so)

    def send_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"content": self.content, "embeds": self.embeds}
        if self.view is not None:
            kwargs["view"] = self.view
        if self.files:
            kwargs["files"] = [a.file() for a in self.files]
        return kwargs

    @classmethod
    def error(cls, message: str) -> Reply:
        return cls(content=f"⚠️ {message}", ephemeral=True, failed=True)
