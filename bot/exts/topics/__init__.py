"""Topics: what each member follows."""

from discord.ext import commands


async def setup(bot: commands.Bot) -> None:
    from bot.exts.topics._cog import Topics

    await bot.add_cog(Topics())
