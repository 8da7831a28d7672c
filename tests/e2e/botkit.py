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


DEFERRED_UPDATE = 6


async def restart(harness: Any, bot: PaperBot) -> PaperBot:
    """A full restart: the client closes, a new service (a new process's state) and a new client start on the same database."""
    await bot.close()
    service = PaperService(bot.service.settings)
    service.start(seed=False)
    return await start_bot(harness, service)


async def redrawn(fd: Any, user: Any, message: Any, custom_id: str, values: list[str] | None = None) -> Any:
    """Use a control on `message` and wait until the bot redrew the message in place (a deferred
    update acknowledged within 3 s, then an edit)."""
    before = len(message.edits)
    handle = await (fd.select(user, message, custom_id, values) if values is not None
                    else fd.click(user, message, custom_id))
    body = await handle.response()
    assert body["type"] == DEFERRED_UPDATE and handle.latency < 3 and not handle.late
    return await fd.wait_until(lambda: message if len(message.edits) > before else None, REPLY_WAIT,
                               f"an edit of message {message.id}")


def uploaded(fd: Any, handle: Any) -> list[Any]:
    """The files an interaction's reply attached (as uploaded: name and bytes)."""
    return [f for call in fd.calls() if handle.token in call.path for f in call.files]


def select_options(message: Any, custom_id: str) -> list[dict[str, Any]]:
    component = message.find_component(custom_id)
    assert component is not None, f"no {custom_id} in {message.custom_ids}"
    return list(component["options"])
