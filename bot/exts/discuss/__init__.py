"""Discuss: reading-group threads on papers."""

from discord.ext import commands


async def setup(bot: commands.Bot) -> None:
    from bot.exts.discuss._cog import Discuss

    await bot.add_cog(Discuss())
