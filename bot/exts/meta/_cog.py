"""/stats and /help."""

from __future__ import annotations

from discord.ext import commands

from bot.exts.meta import _actions  # noqa: F401  (registers the actions)
from bot.slash import slash


class Meta(commands.Cog):
    stats = slash("stats")
    help = slash("help")
