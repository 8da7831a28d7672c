"""/digest (server digest settings) and /dm (personal picks by DM), plus their jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.context import Reply
from bot.exts.digest import _actions  # noqa: F401  (registers the actions)
from bot.exts.digest._scheduler import DigestJobs
from bot.interactions import respond, send_reply
from bot.publisher import NEEDED
from bot.registry import describe

if TYPE_CHECKING:
    from bot.bot import PaperBot


def missing_permissions(channel: discord.abc.GuildChannel) -> bool:
    perms = channel.permissions_for(channel.guild.me)
    return not (perms.view_channel and perms.send_messages and perms.embed_links)


class Digest(commands.Cog):
    digest = app_commands.Group(
        name="digest", description="The server's daily paper digest", guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )
    dm = app_commands.Group(name="dm", description="Your personal picks by DM")

    def __init__(self, bot: PaperBot) -> None:
        self.bot = bot
        self.jobs = DigestJobs(bot)
        bot.digest_jobs = self.jobs

    async def cog_load(self) -> None:
        await self.jobs.sync_all()

    @digest.command(name="channel", description="Post the daily digest in a channel")
    @app_commands.describe(**describe("digest channel"))
    async def channel(self, interaction: discord.Interaction, channel: discord.TextChannel) -> None:
        if missing_permissions(channel):
            await send_reply(interaction, Reply.error(f"I can't post in {channel.mention}: give me {NEEDED} there first."))
            return
        await respond(interaction, "digest channel", channel=channel.id)

    @digest.command(name="schedule", description="When the daily digest is posted")
    @app_commands.describe(**describe("digest schedule"))
    async def schedule(
        self,
        interaction: discord.Interaction,
        time: str | None = None,
        timezone: str | None = None,
        weekdays: str | None = None,
        size: app_commands.Range[int, 1, 25] | None = None,
    ) -> None:
        await respond(interaction, "digest schedule", time=time, timezone=timezone, weekdays=weekdays, size=size)

    @digest.command(name="status", description="Show this server's digest settings")
    async def status(self, interaction: discord.Interaction) -> None:
        await respond(interaction, "digest status")

    @digest.command(name="preview", description="Show the digest that would be posted now")
    async def preview(self, interaction: discord.Interaction) -> None:
        await respond(interaction, "digest preview")

    @digest.command(name="now", description="Post today's digest now")
    async def now(self, interaction: discord.Interaction) -> None:
        await respond(interaction, "digest now")

    @digest.command(name="off", description="Stop posting the daily digest")
    async def off(self, interaction: discord.Interaction) -> None:
        await respond(interaction, "digest off")

    @dm.command(name="on", description="Get your personal picks by DM every day")
    @app_commands.describe(**describe("dm on"))
    async def dm_on(self, interaction: discord.Interaction, time: str | None = None, timezone: str | None = None) -> None:
        await respond(interaction, "dm on", time=time, timezone=timezone)

    @dm.command(name="off", description="Stop your daily DM picks")
    async def dm_off(self, interaction: discord.Interaction) -> None:
        await respond(interaction, "dm off")
