"""Library: feedback on papers, the reading list and its export."""

from discord.ext import commands


async def setup(bot: commands.Bot) -> None:
    from bot.exts.library._cog import Library

    await bot.add_cog(Library(bot))
