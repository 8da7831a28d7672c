"""Start the Discord bot with clear messages for the usual start-up failures."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import discord

from bot.bot import PaperBot
from bot.exts import EXTENSIONS
from recommender.config import Settings
from recommender.service import PaperService

log = logging.getLogger(__name__)


async def _run(bot: PaperBot, token: str) -> None:
    async with bot:
        await bot.start(token)


def run_bot(service: PaperService, settings: Settings) -> None:
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    bot = PaperBot(service, settings, extensions=EXTENSIONS)
    try:
        asyncio.run(_run(bot, token))
    except discord.LoginFailure:
        raise SystemExit("error: Discord rejected DISCORD_TOKEN. Copy the bot token again from the Developer Portal.") from None
    except aiohttp.ClientConnectionError as exc:
        raise SystemExit(f"error: cannot reach Discord ({exc}). Check the network and try again.") from None
    except KeyboardInterrupt:
        log.info("stopped")
    finally:
        service.close()
