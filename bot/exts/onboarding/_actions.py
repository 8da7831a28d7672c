"""/start: the five papers offered after your first topic, how far you rated them, and what changed."""

from __future__ import annotations

from bot.context import Invoker, Reply
from bot.registry import command
from bot.ui.feedback import feedback_view
from bot.ui.start import INTRO, change_text, progress_text, start_embed


@command("start", "Your five-paper start: rate five papers to tune your picks, then see what changed.")
async def start(ctx: Invoker) -> Reply:
    found = await ctx.call(ctx.service.start_status, ctx.user_id, False, True)
    if found is None:  # offered after the first topic; a member with topics from before gets it now
        found = await ctx.call(ctx.service.start_offer, ctx.user_id)
        if found is None:
            return Reply(content="Follow a topic first (`/subscribe topic: graph neural networks`): your five-paper "
                                 "start is chosen from it.")
    view = feedback_view([p.id for p in found.papers], [p.title for p in found.papers])
    if found.done:
        return Reply(content=change_text(found), embeds=[start_embed(found)], view=view)
    text = INTRO if not found.rated else progress_text(found)
    return Reply(content=text, embeds=[start_embed(found)], view=view)
