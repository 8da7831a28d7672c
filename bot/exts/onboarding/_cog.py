"""/start (the five-paper start itself is offered by /subscribe, through bot/ui/start.py)."""

from __future__ import annotations

from discord.ext import commands

from bot.exts.onboarding import _actions  # noqa: F401  (registers the actions)
from bot.slash import slash


class Onboarding(commands.Cog):
    start = slash("start")
