"""/profile show and /profile reset (which asks first)."""

from __future__ import annotations

from bot import formatting
from bot.context import Invoker, Reply
from bot.exts.profile._views import confirm_view
from bot.registry import Option, command, group

group("profile", "What paperbot has learned about you")

ASK = ("⚠️ This forgets your topics, likes, dismissals and reading list, and cannot be undone "
       "(digests already sent stay sent). Are you sure?")


@command("profile show", "Your topics, likes, dismissals and saves, and the terms that weigh most.")
async def profile_show(ctx: Invoker) -> Reply:
    summary = await ctx.call(ctx.service.profile_summary, ctx.user_id)
    return Reply(embeds=[formatting.profile_embed(summary)])


@command("profile reset", "Forget your topics and feedback and start over (asks first).",
         confirm=Option("", "True: reset now without asking"))
async def profile_reset(ctx: Invoker, confirm: bool = False) -> Reply:
    if not confirm:
        return Reply(content=ASK, view=confirm_view(ctx.user_id))
    topics, feedback = await ctx.call(ctx.service.reset, ctx.user_id)
    return Reply(content=f"🧹 Done: forgot {topics} topic{'s' * (topics != 1)} and {feedback} piece"
                         f"{'s' * (feedback != 1)} of feedback, and emptied your reading list. "
                         "Start again with `/subscribe`.")
