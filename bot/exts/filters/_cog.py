"""/mute keyword|category|author, /unmute and /mutes."""

from __future__ import annotations

from discord.ext import commands

from bot.exts.filters import _actions  # noqa: F401  (registers the actions)
from bot.slash import slash, slash_group


class Filters(commands.Cog):
    mute = slash_group("mute")
    keyword = slash("mute keyword", parent=mute)
    category = slash("mute category", parent=mute)
    author = slash("mute author", parent=mute)
    unmute = slash("unmute")
    mutes = slash("mutes")
