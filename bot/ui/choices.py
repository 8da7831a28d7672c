"""Autocomplete shared by features: papers by id or title (the `paper` option of every command)."""

from __future__ import annotations

from bot import formatting
from bot.context import Invoker
from bot.registry import Option, text

NAME_MAX = 100  # Discord's limit for a choice's name


def choice_name(paper_id: str, title: str, limit: int = NAME_MAX) -> str:
    """"Title (2406.01234)" within `limit` characters, the title shortened with an ellipsis."""
    title = " ".join(title.split())
    room = limit - len(paper_id) - 3
    if len(title) > room:
        title = title[: max(room - 1, 0)].rstrip() + "…"
    return f"{title} ({paper_id})"[:limit]


async def paper_choices(ctx: Invoker, current: str) -> list[tuple[str, str]]:
    """("Title (2406.01234)", "2406.01234"): the member's own papers when nothing is typed, else ids or titles that fit."""
    found = await ctx.call(ctx.service.paper_choices, ctx.user_id, current)
    return [(choice_name(pid, formatting.plain_title(title)), pid) for pid, title in found]


def paper_option(description: str = "arXiv id (2406.01234), arxiv.org link, or title") -> Option:
    """A `paper` option: an id with or without version, an abs/pdf link, or a title, with autocomplete."""
    return text(description, max_length=300, suggest=paper_choices)
