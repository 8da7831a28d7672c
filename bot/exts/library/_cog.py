"""/like, /save, /dismiss, /readinglist and /unsave."""

from __future__ import annotations

from discord.ext import commands

from bot.exts.library import _actions  # noqa: F401  (registers the actions)
from bot.slash import slash


class Library(commands.Cog):
    like = slash("like")
    save = slash("save")
    dismiss = slash("dismiss")
    readinglist = slash("readinglist")
    unsave = slash("unsave")
