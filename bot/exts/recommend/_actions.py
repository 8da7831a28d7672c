"""Personal recommendations on demand."""

from __future__ import annotations

from bot import formatting
from bot.context import Invoker, Reply
from bot.exts.library._views import feedback_view
from bot.registry import command


@command("recommend", "Your best new papers, with why each was picked.",
         topic="Only this topic this time (optional)")
async def recommend(ctx: Invoker, topic: str | None = None) -> Reply:
    result = await ctx.call(ctx.service.recommend, ctx.user_id, topic)
    if not result.picks:
        return Reply(content=f"🔍 {result.note}")
    embeds = formatting.fit_embeds(
        [formatting.recommendation_embed(rec, n) for n, rec in enumerate(result.picks, start=1)]
    )
    picks = result.picks[: len(embeds)]
    header = f"🔍 Top {len(picks)} of {result.candidates:,} recent papers" + (f" for **{formatting.escape(topic)}**" if topic else "")
    return Reply(content=header + ". Rate them to sharpen your picks.", embeds=embeds,
                 view=feedback_view([r.paper.id for r in picks]))
