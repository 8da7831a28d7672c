"""What member mutes (`/mute`) and digest mutes (`/digest mute`) share: how a mute is written, listed,
offered for autocomplete and read back from `/unmute`'s option."""

from __future__ import annotations

import discord

from bot import formatting
from bot.context import Invoker
from recommender.errors import PaperbotError
from recommender.members.mutes import KINDS, VALUE_MAX, MuteEntry

SEPARATOR = ": "  # "/unmute mute: keyword: diffusion"
ENTRY_MAX = VALUE_MAX + 12  # "category: " and the value


def entry_text(entry: MuteEntry) -> str:
    return f"{entry.kind}{SEPARATOR}{entry.value}"


def matching(entries: list[MuteEntry], current: str) -> list[str]:
    """The mutes containing what was typed, written as `/unmute` takes them (autocomplete)."""
    needle = current.casefold().strip()
    return [entry_text(e) for e in entries if needle in entry_text(e).casefold()][:25]


def parse_entry(text: str) -> tuple[str, str]:
    """(kind, value) of a mute written like `keyword: benchmark`, or a clear error."""
    kind, sep, value = text.partition(SEPARATOR.strip())
    kind = kind.strip().casefold()
    if not sep or kind not in KINDS:
        raise PaperbotError(f"Pick one of the mutes from the list, written like `keyword: benchmark` ({', '.join(KINDS)}).")
    return kind, value.strip()


async def library_authors(ctx: Invoker, current: str) -> list[tuple[str, str]]:
    return await ctx.call(ctx.service.author_choices, current)


def mutes_embed(entries: list[MuteEntry], title: str = "🔇 Muted", empty: str = "Nothing muted.") -> discord.Embed:
    body = "\n".join(f"• {e.kind}: **{formatting.escape(e.value)}**" for e in entries) if entries else empty
    return discord.Embed(title=formatting.truncate(title, 256), description=formatting.truncate(body, 4000),
                         colour=formatting.COLOUR)
