"""Start the Discord bot with clear messages for the usual start-up failures."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import discord

from bot.bot import PaperBot, make_bot
from bot.exts import EXTENSIONS
from recommender.config import Settings
from recommender.service import PaperService

log = logging.getLogger(__name__)


def use_api_url(api_url: str) -> None:
    """Tests only (PAPERBOT_DISCORD_API_URL): send discord.py's REST calls to `api_url` and open the
    gateway at the same host (ws://host:port/), e.g. the emulator in tests/e2e/fakediscord."""
    import yarl
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    url = yarl.URL(api_url)
    Route.BASE = str(url).rstrip("/")
    DiscordWebSocket.DEFAULT_GATEWAY = url.with_scheme("wss" if url.scheme == "https" else "ws").with_path("/")
    log.warning("PAPERBOT_DISCORD_API_URL is set: talking to %s, not to Discord (for tests only)", Route.BASE)


async def _run(bot: PaperBot, token: str) -> None:
    async with bot:
        await bot.start(token)


def run_bot(service: PaperService, settings: Settings) -> None:
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if settings.discord_api_url:
        use_api_url(settings.discord_api_url)
    bot = make_bot(service, settings, extensions=EXTENSIONS)
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
