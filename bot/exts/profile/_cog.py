"""/profile show and /profile reset; the reset confirmation's persistent buttons."""

from __future__ import annotations

from discord.ext import commands

from bot.exts.profile import _actions  # noqa: F401  (registers the actions)
from bot.exts.profile._views import DYNAMIC_ITEMS
from bot.slash import slash, slash_group


class Profile(commands.Cog):
    profile = slash_group("profile")
    show = slash("profile show", parent=profile)
    reset = slash("profile reset", parent=profile)

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)
