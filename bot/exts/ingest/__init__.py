"""Ingestion: the scheduled jobs that fetch new papers and refresh the index."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.bot import PaperBot


async def setup(bot: PaperBot) -> None:
    from bot.exts.ingest._cog import Ingest

    await bot.add_cog(Ingest(bot))
