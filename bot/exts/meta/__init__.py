"""Meta: stats and help."""

from discord.ext import commands


async def setup(bot: commands.Bot) -> None:
    from bot.exts.meta._cog import Meta

    await bot.add_cog(Meta())
