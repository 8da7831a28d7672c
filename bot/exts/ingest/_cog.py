"""Schedules ingestion when the bot starts. The admin command comes with the Discord issue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord.ext import commands

from bot.exts.ingest._scheduler import IngestJobs

if TYPE_CHECKING:
    from bot.bot import PaperBot


class Ingest(commands.Cog):
    def __init__(self, bot: PaperBot) -> None:
        self.bot = bot
        self.jobs = IngestJobs(bot.scheduler, bot.service, bot.settings)

    async def cog_load(self) -> None:
        self.jobs.schedule()

    async def cog_unload(self) -> None:
        self.jobs.unschedule()
