"""/discuss paper: a reading-group thread on a paper, with its abstract, links, and who on the
server liked or saved it (one thread per server and paper)."""

from __future__ import annotations



from bot import formatting
from bot.context import DeliveryFailed, Invoker, Reply
from bot.registry import command, text
from bot.ui.feedback import feedback_view
from recommender.members.discussions import Thread
from recommender.views import PaperView

PAPER = text("arXiv id, e.g. 2406.01234", max_length=64)
MENTIONS_MAX = 20


def links_text(paper: PaperView) -> str:
    links = [f"[{name}]({url})" for name, url in (paper.links or {}).items() if url and url.startswith("http")]
    if paper.url and not any(paper.url in link for link in links):
        links.insert(0, f"[arXiv]({paper.url})")
    return " · ".join(links[:6]) or "—"


def people(ids: list[int]) -> str:
    shown = " ".join(f"<@{uid}>" for uid in ids[:MENTIONS_MAX])
    return shown + (f" and {len(ids) - MENTIONS_MAX} more" if len(ids) > MENTIONS_MAX else "")


def opening(found: Thread, opened_by: int) -> Reply:
    """The thread's first message: the paper, its links, and the server's interest in it."""
    paper = found.paper
    embed = formatting.paper_embed(paper, heading="💬 Reading group")
    embed.add_field(name="Links", value=formatting.truncate(links_text(paper), 1024), inline=False)
    if found.liked_by:
        embed.add_field(name=f"👍 Liked by {len(found.liked_by)}", value=people(found.liked_by), inline=False)
    if found.saved_by:
        embed.add_field(name=f"💾 Saved by {len(found.saved_by)}", value=people(found.saved_by), inline=False)
    if not found.liked_by and not found.saved_by:
        embed.add_field(name="On this server", value="Nobody has liked or saved it yet.", inline=False)
    content = f"<@{opened_by}> opened a discussion of **{formatting.title_md(paper.title, 200)}**."
    # Mentions in an embed never ping; the ones in the content would: keep them to the opener.
    reply = Reply(content=content, embeds=[embed], view=feedback_view([paper.id], [paper.title]), ephemeral=False)
    return reply


@command("discuss", "Open a reading-group thread on a paper, with its abstract, links and who liked it.", paper=PAPER)
async def discuss(ctx: Invoker, paper: str) -> Reply:
    if ctx.guild_id is None or ctx.channel_id is None or ctx.publisher is None:
        return Reply.error("Use `/discuss` in a server channel: it opens a thread there.")
    found = await ctx.call(ctx.service.discussion, ctx.guild_id, paper)
    title = formatting.title_md(found.paper.title, 150)
    if found.thread_id is not None and await ctx.publisher.thread_exists(found.thread_id):
        return Reply(content=f"💬 “{title}” is being discussed already: {ctx.publisher.mention(found.thread_id)}.")
    name = f"📄 {formatting.plain_title(found.paper.title)}"
    try:
        thread_id = await ctx.publisher.open_thread(ctx.channel_id, name, opening(found, ctx.user_id))
    except DeliveryFailed as exc:
        return Reply.error(f"I could not open a thread: {exc}.")
    await ctx.call(ctx.service.record_discussion, ctx.guild_id, found.paper.id, ctx.channel_id, thread_id, ctx.user_id)
    where = ctx.publisher.mention(thread_id) if thread_id is not None else "the channel"
    return Reply(content=f"💬 Opened a thread on “{title}”: {where}.")


