"""Feedback (like, save, dismiss), the reading list (paged, read and unread) and its export."""

from __future__ import annotations

from bot import formatting
from bot.context import Attachment, Invoker, Reply
from bot.exts.library._export import FORMATS, export
from bot.exts.library._views import library_view
from bot.registry import Option, command, number, text
from bot.ui.choices import paper_option

DONE = {
    "like": ("👍", "Liked", "Future picks will lean towards papers like it."),
    "save": ("💾", "Saved to your reading list", "See it with `/library`."),
    "dismiss": ("👎", "Not interested", "You won't see it again, and similar papers rank lower."),
}
ALREADY = {"like": "liked", "save": "saved", "dismiss": "marked as not interesting"}


async def give_feedback(ctx: Invoker, kind: str, paper: str) -> Reply:
    view, changed = await ctx.call(ctx.service.feedback, ctx.user_id, paper, kind)
    emoji, verb, effect = DONE[kind]
    title = formatting.title_md(view.title, 150)
    if not changed:
        return Reply(content=f"{emoji} Already {ALREADY[kind]}: “{title}”.")
    return Reply(content=f"{emoji} {verb}: “{title}” (`{view.id}`). {effect}")


@command("like", "Tell paperbot you liked a paper.", paper=paper_option())
async def like(ctx: Invoker, paper: str) -> Reply:
    return await give_feedback(ctx, "like", paper)


@command("save", "Save a paper to your reading list.", paper=paper_option())
async def save(ctx: Invoker, paper: str) -> Reply:
    return await give_feedback(ctx, "save", paper)


@command("dismiss", "Not interested: hide a paper and lower similar ones.", paper=paper_option())
async def dismiss(ctx: Invoker, paper: str) -> Reply:
    return await give_feedback(ctx, "dismiss", paper)


@command("library", "Your reading list, page by page, with remove and mark-as-read.",
         page=number("Page to show (5 papers a page)", min_value=1, max_value=10_000))
async def library(ctx: Invoker, page: int = 1) -> Reply:
    shown = await ctx.call(ctx.service.reading_page, ctx.user_id, page, formatting.LIBRARY_PAGE)
    return Reply(embeds=[formatting.reading_page_embed(shown)], view=library_view(shown))


@command("read", "Mark a paper on your reading list as read (or unread again).",
         paper=paper_option(), unread=Option("", "True: mark it unread again"))
async def read(ctx: Invoker, paper: str, unread: bool = False) -> Reply:
    again = bool(unread)
    view, changed = await ctx.call(ctx.service.mark_read, ctx.user_id, paper, not again)
    title = formatting.title_md(view.title, 150)
    state = "unread" if again else "read"
    if not changed:
        return Reply(content=f"“{title}” is already marked {state}.")
    return Reply(content=f"{'📄' if again else '✅'} Marked {state}: “{title}” (`{view.id}`).")


@command("unsave", "Remove a paper from your reading list.", paper=paper_option())
async def unsave(ctx: Invoker, paper: str) -> Reply:
    view = await ctx.call(ctx.service.unsave, ctx.user_id, paper)
    return Reply(content=f"🗑️ Removed “{formatting.title_md(view.title, 150)}” from your reading list.")


@command("export", "Download your reading list (BibTeX, Markdown, CSV or RIS) as a file.",
         format=text("File format", max_length=8, choices=tuple(FORMATS)))
async def export_(ctx: Invoker, format: str) -> Reply:  # noqa: A002 - the option's name on Discord
    items = await ctx.call(ctx.service.reading_items, ctx.user_id)
    if not items:
        return Reply(content="Your reading list is empty: press 💾 under a pick (or `/save`) first.")
    filename, data = export(items, format)
    unread = sum(1 for i in items if i.read is None)
    return Reply(content=f"📎 Your reading list as {FORMATS[format]}: {len(items)} paper{'s' * (len(items) != 1)} ({unread} unread).",
                 files=[Attachment(filename, data)])
