"""Persistent feedback controls under picks and digests (they survive restarts).

A click runs the `like`, `save` or `dismiss` command by name, so this module
needs no feature; the bot registers DYNAMIC_ITEMS when it starts, and
discord.py rebuilds a control from its custom id (`pb:like:<paper id>`,
`pb:pick:save`) on messages sent before a restart.
"""

from __future__ import annotations

import discord

from bot import formatting
from bot.context import Reply
from bot.interactions import invoker_from, send_reply
from bot.registry import invoke
from bot.ui.start import after_rating

STYLE = {
    "like": ("👍", discord.ButtonStyle.success),
    "save": ("💾", discord.ButtonStyle.primary),
    "dismiss": ("✖️", discord.ButtonStyle.secondary),
}
PAPER_ID = r"[A-Za-z0-9./:_-]{1,64}"
MAX_BUTTON_PAPERS = 5
MAX_OPTIONS = 25


async def _feedback(interaction: discord.Interaction, kind: str, paper_ids: list[str]) -> None:
    await interaction.response.defer(ephemeral=True, thinking=True)
    ctx = invoker_from(interaction)
    replies = [await invoke(ctx, kind, paper=pid) for pid in paper_ids]
    text = "\n".join(r.content or "" for r in replies)
    if (start := await after_rating(ctx, paper_ids)) is not None:  # the five-paper start: progress, or what changed
        text = f"{text}\n\n{start}"
    await send_reply(interaction, Reply(content=text[: formatting.CONTENT_MAX], ephemeral=True))


class FeedbackButton(discord.ui.DynamicItem[discord.ui.Button], template=rf"pb:(?P<kind>like|save|dismiss):(?P<pid>{PAPER_ID})"):
    def __init__(self, kind: str, paper_id: str, number: int | None = None, row: int | None = None) -> None:
        emoji, style = STYLE[kind]
        label = str(number) if number is not None else None
        super().__init__(
            discord.ui.Button(style=style, emoji=emoji, label=label, custom_id=f"pb:{kind}:{paper_id}"), row=row
        )
        self.kind, self.paper_id = kind, paper_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match) -> FeedbackButton:  # type: ignore[no-untyped-def, override]
        return cls(match["kind"], match["pid"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await _feedback(interaction, self.kind, [self.paper_id])


class FeedbackSelect(discord.ui.DynamicItem[discord.ui.Select], template=r"pb:pick:(?P<kind>like|save|dismiss)"):
    def __init__(self, kind: str, options: list[discord.SelectOption] | None = None, row: int | None = None) -> None:
        emoji, _ = STYLE[kind]
        placeholder = {"like": "Like…", "save": "Save to reading list…", "dismiss": "Not interested in…"}[kind]
        options = options or [discord.SelectOption(label="-", value="-")]
        select = discord.ui.Select(
            custom_id=f"pb:pick:{kind}", placeholder=f"{emoji} {placeholder}", min_values=1,
            max_values=len(options), options=options,
        )
        super().__init__(select, row=row)
        self.kind = kind

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Select, match) -> FeedbackSelect:  # type: ignore[no-untyped-def, override]
        made = cls(match["kind"])
        made.item.options = item.options
        return made

    async def callback(self, interaction: discord.Interaction) -> None:
        await _feedback(interaction, self.kind, list(self.item.values))


def feedback_view(paper_ids: list[str], titles: list[str] | None = None) -> discord.ui.View:
    """Buttons (one row per paper) for up to 5 papers, select menus for more."""
    view = discord.ui.View(timeout=None)
    if len(paper_ids) <= MAX_BUTTON_PAPERS:
        for number, pid in enumerate(paper_ids, start=1):
            for kind in STYLE:
                view.add_item(FeedbackButton(kind, pid, number, row=number - 1))
        return view
    titles = titles or paper_ids
    options = [
        discord.SelectOption(label=f"{n}. {formatting.plain_title(t)}"[:100], value=pid)
        for n, (pid, t) in enumerate(zip(paper_ids[:MAX_OPTIONS], titles), start=1)
    ]
    for row, kind in enumerate(STYLE):
        view.add_item(FeedbackSelect(kind, options, row=row))
    return view


DYNAMIC_ITEMS = (FeedbackButton, FeedbackSelect)
