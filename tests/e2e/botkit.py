"""Helpers for the bot's e2e tests: start paperbot against the emulator, read ephemeral replies."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bot.bot import PaperBot
from bot.exts import EXTENSIONS
from recommender.service import PaperService

EPHEMERAL = 64
IMMEDIATE = 4
DEFERRED = 5
CONTENT_MAX = 2000
REPLY_WAIT = 60.0  # seconds to wait for a deferred reply: generous, the CPU is shared (the ack itself is checked)


async def start_bot(harness: Any, service: PaperService) -> PaperBot:
    bot = PaperBot(service, service.settings, extensions=EXTENSIONS, guild_ready_timeout=0.1)
    await harness.start(bot)
    return bot


async def answer(handle: Any) -> Any:
    """The visible reply of an ephemeral command, acknowledged within 3 s (deferred or at once)."""
    body = await handle.response()
    assert body["type"] in (IMMEDIATE, DEFERRED) and body["data"]["flags"] & EPHEMERAL
    assert handle.latency < 3 and not handle.late
    if body["type"] == IMMEDIATE:
        return await handle.original(timeout=REPLY_WAIT)
    return await handle.original_edit(timeout=REPLY_WAIT)


def digest_jobs(bot: PaperBot) -> Any:
    return bot.get_cog("Digest").jobs  # type: ignore[union-attr]


def text_of(message: Any) -> str:
    parts = [message.content]
    for embed in message.embeds:
        parts += [embed.get("title", ""), embed.get("description", ""), (embed.get("footer") or {}).get("text", "")]
        parts += [f"{f['name']} {f['value']}" for f in embed.get("fields", [])]
    return "\n".join(parts)


def custom_ids(message: Any) -> list[str]:
    return [c["custom_id"] for row in message.components for c in row["components"] if "custom_id" in c]


def count(service: PaperService, model: Any, *where: Any) -> int:
    with service.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def synced(fd: Any, name: str) -> dict[str, Any]:
    return next(c for c in fd.commands() if c["name"] == name)
