"""Print a Reply the way Discord would show it, using rich."""

from __future__ import annotations

import re

import discord
from rich.console import Console, Group
from rich.markdown import Markdown
from rich.panel import Panel
from rich.text import Text

from bot.context import Reply

_ESCAPED = re.compile(r"\\([*_`~|>\\])")


def _unescape(text: str) -> str:
    """An embed title as shown: Discord renders `A\\* search` as `A* search` (a Panel title is plain text)."""
    return _ESCAPED.sub(r"\1", text)


def _markdown(text: str) -> Markdown:
    return Markdown(text.replace("\n", "  \n"))


def embed_panel(embed: discord.Embed) -> Panel:
    parts: list = []
    if embed.author and embed.author.name:
        parts.append(Text(embed.author.name, style="dim"))
    if embed.url:
        parts.append(Text(embed.url, style="blue underline"))
    if embed.description:
        parts.append(_markdown(embed.description))
    for field in embed.fields:
        parts.append(Text(str(field.name), style="bold"))
        parts.append(_markdown(str(field.value)))
    if embed.footer and embed.footer.text:
        parts.append(Text(embed.footer.text, style="dim"))
    return Panel(Group(*parts), title=Text(_unescape(embed.title or ""), style="bold"), title_align="left", expand=True)


def view_hint(view: discord.ui.View) -> Text:
    labels = []
    for item in view.children:
        inner = getattr(item, "item", item)
        if isinstance(inner, discord.ui.Button):
            labels.append(f"[{inner.emoji or ''}{' ' + inner.label if inner.label else ''}]")
        elif isinstance(inner, discord.ui.Select):
            labels.append(f"[{inner.placeholder} ▾]")
    hint = " ".join(labels[:12]) + (" …" if len(labels) > 12 else "")
    how = getattr(view, "console_hint", "(in the console: /like, /dismiss, /save or /similar paper: <id>)")
    return Text(f"{hint}\n{how}", style="dim")


def render(console: Console, reply: Reply, where: str | None = None) -> None:
    if where:
        console.print(Text(where, style="bold magenta"))
    if reply.content:
        console.print(_markdown(reply.content))
    for embed in reply.embeds:
        console.print(embed_panel(embed))
    if reply.view is not None and reply.view.children:
        console.print(view_hint(reply.view))
