"""Profile: what paperbot has learned about a member, and starting over."""

from discord.ext import commands


async def setup(bot: commands.Bot) -> None:
    from bot.exts.profile._cog import Profile

    await bot.add_cog(Profile(bot))
