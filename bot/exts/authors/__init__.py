"""Authors: follow the people whose papers you never want to miss."""

from discord.ext import commands


async def setup(bot: commands.Bot) -> None:
    from bot.exts.authors._cog import Authors

    await bot.add_cog(Authors(bot))
