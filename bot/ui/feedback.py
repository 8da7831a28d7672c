"""Persistent feedback controls under picks and digests (they survive restarts).

Every paper gets 👍 Like, 👎 Not interested, 💾 Save and 🔎 More like this. A click
runs the `like`, `dismiss`, `save` or `similar` command by name, so this module
needs no feature; the bot registers DYNAMIC_ITEMS when it starts, and discord.py
rebuilds a control from its custom id (`pb:like:<paper id>`, `pb:more:<paper id>`,
`pb:pick:save`) on messages sent before a restart.
"""

from __future__ import annotations

import discord

from bot import formatting
from bot.context import Reply
from bot.interactions import invoker_from, send_reply
from bot.registry import invoke
from bot.ui.start import after_rating

# kind -> (emoji, label, style, the command a click runs); "dismiss" keeps its id from older versions.
STYLE = {
    "like": ("👍", "Like", discord.ButtonStyle.success, "like"),
    "dismiss": ("👎", "Not interested", discord.ButtonStyle.secondary, "dismiss"),
    "save": ("💾", "Save", discord.ButtonStyle.primary, "save"),
    "more": ("🔎", "More like this", discord.ButtonStyle.secondary, "similar"),
}
KINDS = "|".join(STYLE)
PAPER_ID = r"[A-Za-z0-9./:_-]{1,64}"
MAX_BUTTON_PAPERS = 5
MAX_OPTIONS = 25


async def _feedback(interaction: discord.Interaction, kind: str, paper_ids: list[str]) -> None:
    """Acknowledge at once, run the click's command for each paper, answer only the clicker."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    ctx = invoker_from(interaction)
    command = STYLE[kind][3]
    replies = [await invoke(ctx, command, paper=pid) for pid in paper_ids]
    if len(replies) == 1:
        reply = replies[0]
    else:
        reply = Reply(content="\n".join(r.content or "" for r in replies)[: formatting.CONTENT_MAX])
    if command != "similar" and (start := await after_rating(ctx, paper_ids)) is not None:
        # the five-paper start: the progress, or what changed
        reply.content = f"{reply.content or ''}\n\n{start}"[: formatting.CONTENT_MAX]
    reply.ephemeral = True
    await send_reply(interaction, reply)


class FeedbackButton(discord.ui.DynamicItem[discord.ui.Button], template=rf"pb:(?P<kind>{KINDS}):(?P<pid>{PAPER_ID})"):
    def __init__(self, kind: str, paper_id: str, number: int | None = None, row: int | None = None) -> None:
        emoji, name, style, _ = STYLE[kind]
        label = f"{number} · {name}" if number is not None and kind == "like" else name
        super().__init__(
            discord.ui.Button(style=style, emoji=emoji, label=label, custom_id=f"pb:{kind}:{paper_id}"), row=row
        )
        self.kind, self.paper_id = kind, paper_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match) -> FeedbackButton:  # type: ignore[no-untyped-def, override]
        return cls(match["kind"], match["pid"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await _feedback(interaction, self.kind, [self.paper_id])


class FeedbackSelect(discord.ui.DynamicItem[discord.ui.Select], template=rf"pb:pick:(?P<kind>{KINDS})"):
    def __init__(self, kind: str, options: list[discord.SelectOption] | None = None, row: int | None = None) -> None:
        emoji = STYLE[kind][0]
        placeholder = {"like": "Like…", "save": "Save to reading list…", "dismiss": "Not interested in…",
                       "more": "More like…"}[kind]
        options = options or [discord.SelectOption(label="-", value="-")]
        select = discord.ui.Select(  # "more like this" answers for one paper at a time
            custom_id=f"pb:pick:{kind}", placeholder=f"{emoji} {placeholder}", min_values=1,
            max_values=1 if kind == "more" else len(options), options=options,
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


def feedback_view(paper_ids: list[str], titles: list[str] | None = None, first: int = 1) -> discord.ui.View:
    """Buttons (one row per paper: 👍 👎 💾 🔎) for up to 5 papers, select menus for more."""
    view = discord.ui.View(timeout=None)
    if len(paper_ids) <= MAX_BUTTON_PAPERS:
        for number, pid in enumerate(paper_ids, start=first):
            for kind in STYLE:
                view.add_item(FeedbackButton(kind, pid, number, row=number - first))
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
