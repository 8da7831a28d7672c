"""/like, /save, /dismiss, /readinglist, /unsave, and the persistent feedback controls."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.exts.library import _actions  # noqa: F401  (registers the actions)
from bot.interactions import respond
from bot.registry import describe


class Library(commands.Cog):
    @app_commands.command(name="like", description="Tell paperbot you liked a paper")
    @app_commands.describe(**describe("like"))
    async def like(self, interaction: discord.Interaction, paper: str) -> None:
        await respond(interaction, "like", paper=paper)

    @app_commands.command(name="save", description="Save a paper to your reading list")
    @app_commands.describe(**describe("save"))
    async def save(self, interaction: discord.Interaction, paper: str) -> None:
        await respond(interaction, "save", paper=paper)

    @app_commands.command(name="dismiss", description="Not interested: hide a paper and lower similar ones")
    @app_commands.describe(**describe("dismiss"))
    async def dismiss(self, interaction: discord.Interaction, paper: str) -> None:
        await respond(interaction, "dismiss", paper=paper)

    @app_commands.command(name="readinglist", description="Show the papers you saved")
    async def readinglist(self, interaction: discord.Interaction) -> None:
        await respond(interaction, "readinglist")

    @app_commands.command(name="unsave", description="Remove a paper from your reading list")
    @app_commands.describe(**describe("unsave"))
    async def unsave(self, interaction: discord.Interaction, paper: str) -> None:
        await respond(interaction, "unsave", paper=paper)
