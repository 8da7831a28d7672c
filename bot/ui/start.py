"""The five-paper start as members see it: the five papers with rating buttons, the progress
after each rating, and how the picks changed once all five are rated (recommender/picks/onboarding.py).

Shared UI: `/subscribe` (topics) offers it under `feedback_view` buttons, `/start` (onboarding)
shows it again, and the feedback buttons (ui/feedback.py) report on it.
"""

from __future__ import annotations

import discord

from bot import formatting
from bot.context import Invoker
from recommender.picks.onboarding import Start

INTRO = "Rate these five to tune your picks at once (👍 like, 💾 save, ✖️ not for me). They cover different corners of your topic."


def start_embed(start: Start) -> discord.Embed:
    lines = []
    for number, paper in enumerate(start.papers, start=1):
        title = formatting.title_md(paper.title, 150)
        link = f"[{title}]({paper.url})" if paper.url else title
        rated = {"like": " · 👍", "save": " · 💾", "dismiss": " · ✖️"}.get(start.rated.get(paper.id, ""), "")
        lines.append(
            f"**{number}. {link}**{rated}\n{formatting.escape(formatting.authors_line(paper.authors, 2))} · `{paper.id}`\n"
            f"> {formatting.escape(formatting.truncate(' '.join(paper.abstract.split()), 160))}"
        )
    embed = discord.Embed(title="🚀 Your five-paper start", description=formatting.truncate("\n\n".join(lines), 4000),
                          colour=formatting.COLOUR)
    embed.set_footer(text=f"{len(start.rated)} of {len(start.papers)} rated")
    return embed


def progress_text(start: Start) -> str:
    left = len(start.papers) - len(start.rated)
    return f"🚀 {len(start.rated)} of {len(start.papers)} of your start rated; {left} to go, then I'll show how your picks changed."


def change_text(start: Start) -> str:
    """How the five ratings changed the member's picks."""
    after = start.after or []
    liked = sum(k != "dismiss" for k in start.rated.values())
    head = f"🎯 All five rated ({liked} liked or saved, {len(start.rated) - liked} not for you)."
    new = start.new_picks()
    if not after:
        return f"{head} Nothing in the recent papers matches well enough yet; more will come with the next papers."
    if not new:
        return f"{head} Your top {len(after)} picks stayed the same: your ratings confirmed them. See them with `/recommend`."
    lines = [f"{head} Your picks changed: {len(new)} of your top {len(after)} are new:"]
    lines += [f"• {formatting.title_md(r.paper.title, 120)} (`{r.paper.id}`)" for r in new[:5]]
    lines.append("See them with `/recommend`.")
    return formatting.truncate("\n".join(lines), formatting.CONTENT_MAX)


async def after_rating(ctx: Invoker, paper_ids: list[str]) -> str | None:
    """What a rating of start papers adds to the reply: the progress, or (once) how the picks changed."""
    start = await ctx.call(ctx.service.start_status, ctx.user_id)
    if start is None or not {p.id for p in start.papers} & set(paper_ids):
        return None
    if not start.done:
        return progress_text(start)
    if not start.first_report:
        return None
    start = await ctx.call(ctx.service.start_status, ctx.user_id, True)
    return change_text(start) if start is not None else None
