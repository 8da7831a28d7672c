"""Library: feedback on papers and the reading list."""

from discord.ext import commands


async def setup(bot: commands.Bot) -> None:
    from bot.exts.library._cog import Library
    from bot.exts.library._views import DYNAMIC_ITEMS

    bot.add_dynamic_items(*DYNAMIC_ITEMS)
    await bot.add_cog(Library())
