"""Server: which papers this server's digest draws on (/sources) and what its members keep (/trending)."""

from discord.ext import commands


async def setup(bot: commands.Bot) -> None:
    from bot.exts.server._cog import Server

    await bot.add_cog(Server())
