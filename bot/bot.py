"""The Discord client: loads the feature extensions it is given, syncs commands, runs the scheduler.

It knows no feature: features get the service, publisher and scheduler from it,
and talk to each other through discord.py events (`bot.dispatch`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timezone
from typing import Any

import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from discord import app_commands
from discord.ext import commands

from bot import heartbeat
from bot.context import Reply
from bot.interactions import send_reply
from bot.publisher import DiscordPublisher
from bot.shards import Shards
from bot.ui.feedback import DYNAMIC_ITEMS
from bot.ui.stale import answer_unclaimed
from recommender.config import Settings
from recommender.service import PaperService

log = logging.getLogger(__name__)


class PaperTree(app_commands.CommandTree):
    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        original = getattr(error, "original", error)
        log.error("command %s failed", interaction.command and interaction.command.qualified_name, exc_info=original)
        try:
            await send_reply(interaction, Reply.error("Something went wrong on my side; the error was logged."))
        except discord.HTTPException:
            pass


class PaperBot(commands.Bot):
    def __init__(self, service: PaperService, settings: Settings, *, extensions: Sequence[str], **options: Any) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned, intents=discord.Intents.default(), tree_cls=PaperTree,
            help_command=None, **options,
        )
        self.service = service
        self.settings = settings
        self.shard_plan = Shards.of(settings)  # whose digests this process delivers (bot/shards.py)
        self.scheduler = AsyncIOScheduler(
            timezone=timezone.utc, job_defaults={"coalesce": True, "misfire_grace_time": 3600, "max_instances": 1}
        )
        self.publisher = DiscordPublisher(self)
        self.extensions_to_load = tuple(extensions)

    async def setup_hook(self) -> None:
        self.scheduler.start()
        self.scheduler.add_job(self.beat, "interval", seconds=heartbeat.EVERY, id="heartbeat", replace_existing=True)
        self.add_dynamic_items(*DYNAMIC_ITEMS)  # feedback buttons, also on messages from before a restart
        for extension in self.extensions_to_load:
            await self.load_extension(extension)
        await self.sync_commands()

    async def sync_commands(self) -> list[app_commands.AppCommand]:
        """Sync slash commands: to the dev server at once if configured, else globally."""
        if self.settings.dev_guild_id:
            guild = discord.Object(self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            return await self.tree.sync(guild=guild)
        return await self.tree.sync()

    def beat(self) -> None:
        """Tell `paperbot health` (Docker's healthcheck) that the bot is up and connected."""
        if self.is_ready() and not self.is_closed():
            try:
                heartbeat.beat(self.settings.data_dir)
            except OSError as exc:
                log.warning("cannot write the heartbeat file in %s: %s", self.settings.data_dir, exc)

    async def on_ready(self) -> None:
        self.beat()
        log.info("connected as %s to %d servers (%s)", self.user, len(self.guilds), self.shard_plan.describe())

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Buttons nothing handles (from an older version) get a polite answer, not "This interaction failed"."""
        await answer_unclaimed(interaction)

    async def close(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await super().close()


class ShardedPaperBot(PaperBot, commands.AutoShardedBot):
    """The bot on some shards of a sharded deployment (PAPERBOT_SHARD_COUNT / PAPERBOT_SHARD_IDS):
    discord.py connects those shards in one process, and the digest feature keeps to their servers."""


def make_bot(service: PaperService, settings: Settings, *, extensions: Sequence[str], **options: Any) -> PaperBot:
    """A PaperBot, or a ShardedPaperBot on this process's shards when PAPERBOT_SHARD_COUNT is set."""
    if settings.shard_count is None:
        return PaperBot(service, settings, extensions=extensions, **options)
    count, ids = settings.shards
    return ShardedPaperBot(service, settings, extensions=extensions, shard_count=count, shard_ids=list(ids), **options)
