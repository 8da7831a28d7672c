"""/follow, /unfollow, /authors list and /authors suggest."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from discord.ext import commands

from bot.exts.authors import _actions  # noqa: F401  (registers the actions)
from bot.slash import slash, slash_group

log = logging.getLogger(__name__)


class Authors(commands.Cog):
    authors = slash_group("authors")
    follow = slash("follow")
    unfollow = slash("unfollow")
    authors_list = slash("authors list", parent=authors)
    suggest = slash("authors suggest", parent=authors)

    def __init__(self, bot: Any) -> None:
        self.bot = bot
        self._warm: asyncio.Task[Any] | None = None

    async def cog_load(self) -> None:
        # The author directory takes seconds on a large library: build it now, not at the first autocomplete.
        self._warm = asyncio.create_task(asyncio.to_thread(self._build_directory))

    def _build_directory(self) -> None:
        try:
            self.bot.service.author_directory()
        except Exception:  # noqa: BLE001 - only a head start: the first autocomplete builds it again
            log.warning("could not build the author directory ahead", exc_info=True)

    async def cog_unload(self) -> None:
        if self._warm is not None and not self._warm.done():
            self._warm.cancel()
