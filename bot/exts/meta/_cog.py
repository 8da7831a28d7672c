"""/stats and /help."""

from __future__ import annotations

from discord.ext import commands

from bot.exts.meta import _actions  # noqa: F401  (registers the actions)
from bot.slash import slash


class Meta(commands.Cog):
    stats = slash("stats")  # admin: hidden from members and DMs (bot/slash.py), checked server-side too
    help = slash("help")
