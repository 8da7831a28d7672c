"""The reading list's controls: ◀ ▶ pages, ✅ mark as read, 🗑️ remove (persistent, like the feedback buttons).

Custom ids carry the page (`pb:lib:page:3`, `pb:lib:read:3`, `pb:lib:remove:3`), so
they work after a restart; the Library cog registers them. A click runs the same
commands as the console (`read`, `unsave`, `library`) and redraws the page in place.
"""

from __future__ import annotations

import discord

from bot import formatting
from bot.interactions import invoker_from
from bot.registry import invoke
from recommender.views import ReadingPage

CONSOLE_HINT = "(in the console: /library page: <n>, /read paper: <id>, /unsave paper: <id>)"


class LibraryView(discord.ui.View):
    console_hint = CONSOLE_HINT


async def _redraw(interaction: discord.Interaction, page: int, status: str | None = None) -> None:
    """Show `page` of the clicker's reading list in the message, with `status` above it."""
    reply = await invoke(invoker_from(interaction), "library", page=page)
    if status:
        reply.content = formatting.truncate(f"{status}\n{reply.content or ''}".strip(), formatting.CONTENT_MAX)
    await interaction.edit_original_response(content=reply.content, embeds=reply.embeds, view=reply.view)


class PageButton(discord.ui.DynamicItem[discord.ui.Button], template=r"pb:lib:page:(?P<page>\d{1,5})"):
    def __init__(self, page: int, label: str, disabled: bool = False) -> None:
        super().__init__(discord.ui.Button(label=label, style=discord.ButtonStyle.secondary, disabled=disabled,
                                           custom_id=f"pb:lib:page:{page}"), row=2)
        self.page = page

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match) -> PageButton:  # type: ignore[no-untyped-def, override]
        return cls(int(match["page"]), item.label or "")

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer()  # acknowledged at once; the page is redrawn in place
        await _redraw(interaction, self.page)


class EntrySelect(discord.ui.DynamicItem[discord.ui.Select], template=r"pb:lib:(?P<kind>read|remove):(?P<page>\d{1,5})"):
    def __init__(self, kind: str, page: int, options: list[discord.SelectOption] | None = None) -> None:
        placeholder = "✅ Mark as read…" if kind == "read" else "🗑️ Remove from the list…"
        options = options or [discord.SelectOption(label="-", value="-")]
        super().__init__(discord.ui.Select(custom_id=f"pb:lib:{kind}:{page}", placeholder=placeholder, min_values=1,
                                           max_values=len(options), options=options), row=0 if kind == "read" else 1)
        self.kind, self.page = kind, page

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Select, match) -> EntrySelect:  # type: ignore[no-untyped-def, override]
        made = cls(match["kind"], int(match["page"]))
        made.item.options = item.options
        return made

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        ctx = invoker_from(interaction)
        command = "read" if self.kind == "read" else "unsave"
        replies = [await invoke(ctx, command, paper=pid) for pid in self.item.values]
        await _redraw(interaction, self.page, "\n".join(r.content or "" for r in replies))


def _options(page: ReadingPage, unread_only: bool) -> list[discord.SelectOption]:
    first = (page.page - 1) * formatting.LIBRARY_PAGE + 1
    return [
        discord.SelectOption(label=formatting.truncate(f"{n}. {formatting.plain_title(i.paper.title)}", 100),
                             value=i.paper.id, description=formatting.truncate(i.paper.id, 100))
        for n, i in enumerate(page.items, start=first) if not (unread_only and i.read)
    ]


def library_view(page: ReadingPage) -> discord.ui.View | None:
    """Mark-as-read and remove menus for the page's papers, and ◀ ▶ when there are several pages."""
    if not page.items:
        return None
    view = LibraryView(timeout=None)
    unread = _options(page, unread_only=True)
    if unread:
        view.add_item(EntrySelect("read", page.page, unread))
    view.add_item(EntrySelect("remove", page.page, _options(page, unread_only=False)))
    if page.pages > 1:
        view.add_item(PageButton(max(page.page - 1, 1), "◀ Previous", disabled=page.page == 1))
        view.add_item(PageButton(min(page.page + 1, page.pages), "Next ▶", disabled=page.page == page.pages))
    return view


DYNAMIC_ITEMS = (PageButton, EntrySelect)
