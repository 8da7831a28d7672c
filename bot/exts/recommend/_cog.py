"""/recommend, /search, /similar and /why."""

from __future__ import annotations

from discord.ext import commands

from bot.exts.recommend import _actions  # noqa: F401  (registers the actions)
from bot.slash import slash


class Recommend(commands.Cog):
    recommend = slash("recommend")
    search = slash("search")
    similar = slash("similar")
    why = slash("why")
