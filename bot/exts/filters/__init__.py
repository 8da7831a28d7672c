"""Filters: what a member never wants to see in their picks."""

from discord.ext import commands


async def setup(bot: commands.Bot) -> None:
    from bot.exts.filters._cog import Filters

    await bot.add_cog(Filters())
