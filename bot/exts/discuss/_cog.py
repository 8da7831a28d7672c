"""/discuss paper, and the count of members' messages in the discussion threads."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.exts.discuss import _actions  # noqa: F401  (registers the actions)
from bot.slash import slash

if TYPE_CHECKING:
    from bot.bot import PaperBot

log = logging.getLogger(__name__)


class Discuss(commands.Cog):
    discuss = slash("discuss")

    def __init__(self, bot: PaperBot) -> None:
        self.service = bot.service

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A member wrote in a thread: one more message for its discussion, if it is one (only the
        count is kept; the bot reads no message content)."""
        if message.guild is None or message.author.bot or message.webhook_id is not None:
            return
        if not isinstance(message.channel, discord.Thread | discord.PartialMessageable):
            return
        try:
            await asyncio.to_thread(self.service.count_discussion_message, message.channel.id)
        except Exception:  # noqa: BLE001 - a database hiccup loses one count, never the bot
            log.exception("could not count a message in thread %s", message.channel.id)
