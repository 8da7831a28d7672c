"""Onboarding: the five-paper start after a member's first topic."""

from discord.ext import commands


async def setup(bot: commands.Bot) -> None:
    from bot.exts.onboarding._cog import Onboarding

    await bot.add_cog(Onboarding())
