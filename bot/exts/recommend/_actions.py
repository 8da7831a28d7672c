"""Personal recommendations on demand, search, "more like this" and "why this paper"."""

from __future__ import annotations

from bot import formatting
from bot.context import Invoker, Reply
from bot.registry import command, number, text
from bot.ui.choices import paper_option
from bot.ui.feedback import feedback_view
from recommender.views import Recommendation

COUNT_MAX = 10  # embeds in one message
DAYS_MAX = 3650


def _picks_reply(header: str, picks: list[Recommendation], empty: str) -> Reply:
    """Compact embeds (as many as one message holds) with the feedback controls for exactly those."""
    if not picks:
        return Reply(content=empty)
    embeds = formatting.fit_embeds([formatting.recommendation_embed(rec, n) for n, rec in enumerate(picks, start=1)])
    shown = picks[: len(embeds)]
    view = feedback_view([r.paper.id for r in shown], [r.paper.title for r in shown])
    return Reply(content=header, embeds=embeds, view=view)


@command("recommend", "Your best new papers, with why each was picked.",
         topic=text("Only this topic this time (optional)", max_length=100),
         count=number(f"How many papers, 1-{COUNT_MAX} (default 5)", min_value=1, max_value=COUNT_MAX),
         days=number("Only papers from the last N days (default 30)", min_value=1, max_value=DAYS_MAX))
async def recommend(ctx: Invoker, topic: str | None = None, count: int | None = None, days: int | None = None) -> Reply:
    result = await ctx.call(ctx.service.recommend, ctx.user_id, topic, count, days)
    if not result.picks:
        return Reply(content=f"🔍 {result.note}")
    if ctx.guild_id is not None:  # 💬 on the papers this server is discussing
        result.picks = await ctx.call(ctx.service.mark_discussed, ctx.guild_id, result.picks)
    reply = _picks_reply("", result.picks, "")
    header = f"🔍 Top {len(reply.embeds)} of {formatting.considered_text(result)}"
    header += f" for **{formatting.escape(topic)}**" if topic else ""
    reply.content = header + ". Rate them to sharpen your picks."
    return reply


@command("search", "Search the library by keywords.",
         query=text("Words to look for, e.g. contrastive learning", max_length=200),
         days=number("Only papers from the last N days of the library", min_value=1, max_value=DAYS_MAX))
async def search(ctx: Invoker, query: str, days: int | None = None) -> Reply:
    picks = await ctx.call(ctx.service.search, query, 5, days)
    within = f" from the last {days} days" if days else ""
    return _picks_reply(f"🔎 Best matches{within} for **{formatting.escape(query[:100])}**:", picks,
                        f"No paper{within} matches that.")


@command("similar", "Papers most like one paper (more like this).", paper=paper_option())
async def similar(ctx: Invoker, paper: str) -> Reply:
    source, picks = await ctx.call(ctx.service.similar, paper, 5)
    title = formatting.title_md(source.title, 120)
    return _picks_reply(f"🧭 More like “{title}” (`{source.id}`):", picks, f"Nothing in the library is like “{title}”.")


@command("why", "Why a paper would (or wouldn't) be picked for you.", paper=paper_option())
async def why(ctx: Invoker, paper: str) -> Reply:
    rec = await ctx.call(ctx.service.why, ctx.user_id, paper)
    embed = formatting.paper_embed(rec.paper, heading="Why this paper?")
    verdict = formatting.verdict_text(rec, rec.verdict) if rec.verdict else ""
    embed.add_field(name=formatting.match_text(rec).capitalize(),
                    value=formatting.truncate(f"{verdict}\n{formatting.why_text(rec)}".strip(), 1024), inline=False)
    return Reply(embeds=[embed], view=feedback_view([rec.paper.id]))
