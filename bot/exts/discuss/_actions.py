"""/discuss paper: a reading-group thread on a paper, with its abstract, links, and who on the
server liked or saved it (one thread per server and paper).

A paper one of the server's channel digests carried in the last two weeks is discussed beside
that digest: Discord threads can't nest, so the thread opens in the digest's channel (not in its
day thread) and the day thread gets a link to it, "💬 #3 “Title” is being discussed: #thread".
Elsewhere the thread opens in the channel /discuss was used in."""

from __future__ import annotations

from bot import formatting
from bot.context import DeliveryFailed, Invoker, Reply
from bot.registry import command, text
from bot.ui.feedback import feedback_view
from recommender.members.discussions import DigestHome, Thread
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


def digest_line(home: DigestHome, mention: str) -> str:
    return f"#{home.rank} in the digest of {home.day:%a %d %b} ({mention})"


async def link_in_digest(ctx: Invoker, found: Thread, home: DigestHome, thread_id: int) -> str:
    """Post the link to the discussion in the digest's day thread, under its papers (threads can't nest);
    what to tell the member."""
    assert ctx.publisher is not None and ctx.guild_id is not None
    where = home.thread_id or home.channel_id
    title = formatting.title_md(found.paper.title, 150)
    link = Reply(content=f"💬 #{home.rank} “{title}” is being discussed: {ctx.publisher.mention(thread_id)}",
                 ephemeral=False, nonce=f"pbd{thread_id}")
    try:
        link_id = await ctx.publisher.to_channel(where, link)
    except DeliveryFailed as exc:
        return f" I could not link it in the digest's thread: {exc}."
    if link_id is not None:
        await ctx.call(ctx.service.record_discussion_link, ctx.guild_id, found.paper.id, link_id)
    return f" It was #{home.rank} in the digest of {home.day:%a %d %b}: {ctx.publisher.mention(where)} links to it."


@command("discuss", "Open a reading-group thread on a paper, with its abstract, links and who liked it.", paper=PAPER)
async def discuss(ctx: Invoker, paper: str) -> Reply:
    if ctx.guild_id is None or ctx.channel_id is None or ctx.publisher is None:
        return Reply.error("Use `/discuss` in a server channel: it opens a thread there.")
    found = await ctx.call(ctx.service.discussion, ctx.guild_id, paper)
    title = formatting.title_md(found.paper.title, 150)
    if found.thread_id is not None and await ctx.publisher.thread_exists(found.thread_id):
        count = f" (💬 {found.messages})" if found.messages else ""
        return Reply(content=f"💬 “{title}” is being discussed already: {ctx.publisher.mention(found.thread_id)}{count}.")
    name = f"📄 {formatting.plain_title(found.paper.title)}"
    home = found.home
    opening_ = opening(found, ctx.user_id)
    if home is not None:  # a paper of a recent digest: its thread opens beside the digest
        opening_.embeds[0].add_field(name="From the digest", inline=False,
                                     value=digest_line(home, ctx.publisher.mention(home.thread_id or home.channel_id)))
    channel_id = home.channel_id if home is not None else ctx.channel_id
    try:
        thread_id = await ctx.publisher.open_thread(channel_id, name, opening_)
    except DeliveryFailed as exc:
        if home is None:
            return Reply.error(f"I could not open a thread: {exc}.")
        home, channel_id = None, ctx.channel_id  # not allowed beside the digest: here, then
        try:
            thread_id = await ctx.publisher.open_thread(channel_id, name, opening(found, ctx.user_id))
        except DeliveryFailed as again:
            return Reply.error(f"I could not open a thread: {again}.")
    await ctx.call(ctx.service.record_discussion, ctx.guild_id, found.paper.id, channel_id, thread_id, ctx.user_id,
                   home.digest_id if home is not None else None)
    where = ctx.publisher.mention(thread_id) if thread_id is not None else "the channel"
    text = f"💬 Opened a thread on “{title}”: {where}."
    if home is not None and thread_id is not None:
        text += await link_in_digest(ctx, found, home, thread_id)
    return Reply(content=text)
