"""/subscribe, /unsubscribe (autocompleting the member's topics) and /topics."""

from __future__ import annotations

from discord.ext import commands

from bot.exts.topics import _actions  # noqa: F401  (registers the actions)
from bot.slash import slash


class Topics(commands.Cog):
    subscribe = slash("subscribe")
    unsubscribe = slash("unsubscribe")
    topics = slash("topics")
