"""/sources (admins; hidden from members by its declaration) and /trending."""

from __future__ import annotations

from discord.ext import commands

from bot.exts.server import _actions  # noqa: F401  (registers the actions)
from bot.slash import slash


class Server(commands.Cog):
    sources = slash("sources")
    trending = slash("trending")
