"""/stats and /help."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.exts.meta import _actions  # noqa: F401  (registers the actions)
from bot.interactions import respond


class Meta(commands.Cog):
    @app_commands.command(name="stats", description="How many papers, members and topics paperbot knows")
    async def stats(self, interaction: discord.Interaction) -> None:
        await respond(interaction, "stats")

    @app_commands.command(name="help", description="What paperbot can do")
    async def help(self, interaction: discord.Interaction) -> None:
        await respond(interaction, "help")
