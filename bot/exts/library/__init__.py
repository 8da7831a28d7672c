"""Library: feedback on papers and the reading list."""

from discord.ext import commands


async def setup(bot: commands.Bot) -> None:
    from bot.exts.library._cog import Library

    await bot.add_cog(Library())
