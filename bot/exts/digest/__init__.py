"""Digest: the scheduled server digest and personal DM picks."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.bot import PaperBot


async def setup(bot: PaperBot) -> None:
    from bot.exts.digest._cog import Digest

    await bot.add_cog(Digest(bot))
