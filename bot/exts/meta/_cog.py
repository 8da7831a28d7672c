"""/stats and /help."""

from __future__ import annotations

import discord
from discord.ext import commands

from bot.exts.meta import _actions  # noqa: F401  (registers the actions)
from bot.slash import slash


class Meta(commands.Cog):
    stats = slash("stats")
    stats.guild_only = True  # this server's figures, for its admins (hidden from others; checked server-side too)
    stats.default_permissions = discord.Permissions(manage_guild=True)
    help = slash("help")
