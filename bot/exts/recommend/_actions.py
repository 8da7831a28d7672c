"""Personal recommendations on demand."""

from __future__ import annotations

from bot import formatting
from bot.context import Invoker, Reply
from bot.registry import command, text
from bot.ui.feedback import feedback_view

PAPER = text("arXiv id, e.g. 2406.01234", max_length=64)


@command("recommend", "Your best new papers, with why each was picked.",
         topic=text("Only this topic this time (optional)", max_length=100))
async def recommend(ctx: Invoker, topic: str | None = None) -> Reply:
    result = await ctx.call(ctx.service.recommend, ctx.user_id, topic)
    if not result.picks:
        return Reply(content=f"🔍 {result.note}")
    embeds = formatting.fit_embeds(
        [formatting.recommendation_embed(rec, n) for n, rec in enumerate(result.picks, start=1)]
    )
    picks = result.picks[: len(embeds)]
    header = f"🔍 Top {len(picks)} of {formatting.considered_text(result)}" + (f" for **{formatting.escape(topic)}**" if topic else "")
    return Reply(content=header + ". Rate them to sharpen your picks.", embeds=embeds,
                 view=feedback_view([r.paper.id for r in picks]))


def _picks_reply(header: str, picks: list, empty: str) -> Reply:  # type: ignore[type-arg]
    if not picks:
        return Reply(content=empty)
    embeds = formatting.fit_embeds([formatting.recommendation_embed(rec, n) for n, rec in enumerate(picks, start=1)])
    shown = picks[: len(embeds)]
    return Reply(content=header, embeds=embeds, view=feedback_view([r.paper.id for r in shown]))


@command("search", "Search the library by keywords.",
         query=text("Words to look for, e.g. contrastive learning", max_length=200))
async def search(ctx: Invoker, query: str) -> Reply:
    picks = await ctx.call(ctx.service.search, query, 5)
    return _picks_reply(f"🔎 Best matches for **{formatting.escape(query[:100])}**:", picks, "No paper matches that.")


@command("similar", "Papers most like one paper (more like this).", paper=PAPER)
async def similar(ctx: Invoker, paper: str) -> Reply:
    source, picks = await ctx.call(ctx.service.similar, paper, 5)
    title = formatting.title_md(source.title, 120)
    return _picks_reply(f"🧭 More like “{title}”:", picks, f"Nothing in the library is like “{title}”.")


@command("why", "Why a paper would (or wouldn't) be picked for you.", paper=PAPER)
async def why(ctx: Invoker, paper: str) -> Reply:
    rec = await ctx.call(ctx.service.why, ctx.user_id, paper)
    embed = formatting.paper_embed(rec.paper, heading="Why this paper?")
    verdict = formatting.verdict_text(rec, rec.verdict) if rec.verdict else ""
    embed.add_field(name=formatting.match_text(rec).capitalize(),
                    value=formatting.truncate(f"{verdict}\n{formatting.why_text(rec)}".strip(), 1024), inline=False)
    return Reply(embeds=[embed])
