"""/recommend."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.exts.recommend import _actions  # noqa: F401  (registers the action)
from bot.interactions import respond
from bot.registry import describe


class Recommend(commands.Cog):
    @app_commands.command(name="recommend", description="Your best new papers, with why each was picked")
    @app_commands.describe(**describe("recommend"))
    async def recommend(self, interaction: discord.Interaction, topic: app_commands.Range[str, 1, 100] | None = None) -> None:
        await respond(interaction, "recommend", topic=topic)
