"""Recommend: personal picks on demand."""

from discord.ext import commands


async def setup(bot: commands.Bot) -> None:
    from bot.exts.recommend._cog import Recommend

    await bot.add_cog(Recommend())
