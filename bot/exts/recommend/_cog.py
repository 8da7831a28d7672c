"""/recommend, /search, /similar and /why."""

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

    @app_commands.command(name="search", description="Search the library by keywords")
    @app_commands.describe(**describe("search"))
    async def search(self, interaction: discord.Interaction, query: app_commands.Range[str, 1, 200]) -> None:
        await respond(interaction, "search", query=query)

    @app_commands.command(name="similar", description="Papers most like one paper")
    @app_commands.describe(**describe("similar"))
    async def similar(self, interaction: discord.Interaction, paper: str) -> None:
        await respond(interaction, "similar", paper=paper)

    @app_commands.command(name="why", description="Why a paper would (or wouldn't) be picked for you")
    @app_commands.describe(**describe("why"))
    async def why(self, interaction: discord.Interaction, paper: str) -> None:
        await respond(interaction, "why", paper=paper)
