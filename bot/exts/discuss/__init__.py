"""Discuss: reading-group threads on papers."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.bot import PaperBot


async def setup(bot: PaperBot) -> None:
    from bot.exts.discuss._cog import Discuss

    await bot.add_cog(Discuss(bot))
