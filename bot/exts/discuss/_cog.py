"""/discuss paper."""

from __future__ import annotations

from discord.ext import commands

from bot.exts.discuss import _actions  # noqa: F401  (registers the actions)
from bot.slash import slash


class Discuss(commands.Cog):
    discuss = slash("discuss")
