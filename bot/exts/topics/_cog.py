"""/subscribe, /unsubscribe and /topics."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.exts.topics import _actions
from bot.interactions import invoker_from, respond
from bot.registry import describe


class Topics(commands.Cog):
    @app_commands.command(name="subscribe", description="Follow a research topic")
    @app_commands.describe(**describe("subscribe"))
    async def subscribe(self, interaction: discord.Interaction, topic: app_commands.Range[str, 1, 100]) -> None:
        await respond(interaction, "subscribe", topic=topic)

    @app_commands.command(name="unsubscribe", description="Stop following one of your topics")
    @app_commands.describe(**describe("unsubscribe"))
    async def unsubscribe(self, interaction: discord.Interaction, topic: str) -> None:
        await respond(interaction, "unsubscribe", topic=topic)

    @unsubscribe.autocomplete("topic")
    async def _own_topics(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        topics = await _actions.topic_choices(invoker_from(interaction), current)
        return [app_commands.Choice(name=t, value=t) for t in topics]

    @app_commands.command(name="topics", description="List the topics you follow")
    async def topics(self, interaction: discord.Interaction) -> None:
        await respond(interaction, "topics")
