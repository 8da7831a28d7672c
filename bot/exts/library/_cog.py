"""/like, /save, /dismiss, /library, /read, /unsave and /export; the reading list's persistent controls."""

from __future__ import annotations

from discord.ext import commands

from bot.exts.library import _actions  # noqa: F401  (registers the actions)
from bot.exts.library._views import DYNAMIC_ITEMS
from bot.slash import slash


class Library(commands.Cog):
    like = slash("like")
    save = slash("save")
    dismiss = slash("dismiss")
    library = slash("library")
    read = slash("read")
    unsave = slash("unsave")
    export = slash("export")

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)  # ◀ ▶, read, remove: also on lists shown before a restart

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)
