"""Feedback (like, save, dismiss) and the reading list."""

from __future__ import annotations

from bot import formatting
from bot.context import Invoker, Reply
from bot.registry import command, text

PAPER = text("arXiv id, e.g. 2406.01234", max_length=64)
DONE = {
    "like": ("👍", "Liked", "Future picks will lean towards papers like it."),
    "save": ("💾", "Saved to your reading list", "See it with `/readinglist`."),
    "dismiss": ("✖️", "Dismissed", "You won't see it again, and similar papers rank lower."),
}


async def give_feedback(ctx: Invoker, kind: str, paper: str) -> Reply:
    view, changed = await ctx.call(ctx.service.feedback, ctx.user_id, paper, kind)
    emoji, verb, effect = DONE[kind]
    title = formatting.title_md(view.title, 150)
    if not changed:
        return Reply(content=f"{emoji} Already {verb.lower().split()[0]}: “{title}”.")
    return Reply(content=f"{emoji} {verb}: “{title}” (`{view.id}`). {effect}")


@command("like", "Tell paperbot you liked a paper.", paper=PAPER)
async def like(ctx: Invoker, paper: str) -> Reply:
    return await give_feedback(ctx, "like", paper)


@command("save", "Save a paper to your reading list.", paper=PAPER)
async def save(ctx: Invoker, paper: str) -> Reply:
    return await give_feedback(ctx, "save", paper)


@command("dismiss", "Not interested: hide a paper and lower similar ones.", paper=PAPER)
async def dismiss(ctx: Invoker, paper: str) -> Reply:
    return await give_feedback(ctx, "dismiss", paper)


@command("readinglist", "Show the papers you saved.")
async def readinglist(ctx: Invoker) -> Reply:
    papers = await ctx.call(ctx.service.reading_list, ctx.user_id)
    return Reply(embeds=[formatting.reading_list_embed(papers)])


@command("unsave", "Remove a paper from your reading list.", paper=PAPER)
async def unsave(ctx: Invoker, paper: str) -> Reply:
    view = await ctx.call(ctx.service.unsave, ctx.user_id, paper)
    return Reply(content=f"🗑️ Removed “{formatting.title_md(view.title, 150)}” from your reading list.")
