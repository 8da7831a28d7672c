"""Follow and unfollow topics."""

from __future__ import annotations

import discord

from bot import formatting
from bot.context import Invoker, Reply
from bot.registry import command, text
from bot.ui.feedback import feedback_view
from bot.ui.start import INTRO, start_embed
from recommender.categories import matching_categories
from recommender.views import Target


def _target(ctx: Invoker) -> Target:
    return Target.user(ctx.user_id, ctx.guild_id)


TOPIC_MAX = 100  # what the service accepts for a topic
CHOICES = 25


async def own_topics(ctx: Invoker, current: str) -> list[str]:
    """The member's own topics that contain what they typed so far (for `/unsubscribe`)."""
    mine = await ctx.call(ctx.service.topics, _target(ctx))
    needle = current.casefold().strip()
    return [t for t in mine if needle in t.casefold()][:CHOICES]


async def topic_ideas(ctx: Invoker, current: str) -> list[tuple[str, str]]:
    """For `/subscribe`: what was typed, topics popular in the server, the member's own topics
    (marked, so they see they follow them already), then arXiv category names."""
    typed = " ".join(current.split())[:TOPIC_MAX]
    mine = await ctx.call(ctx.service.topics, _target(ctx))
    followed = {t.casefold() for t in mine}
    offered: dict[str, str] = {}  # value -> name
    if len(typed) >= 2 and typed.casefold() not in followed:
        offered[typed] = typed
    if ctx.guild_id is not None:
        for topic, members in await ctx.call(ctx.service.popular_topics, ctx.guild_id, typed):
            if topic.casefold() not in followed:
                offered.setdefault(topic, f"{topic} · followed by {members} member{'s' * (members != 1)} here")
    needle = typed.casefold()
    for topic in mine:
        if needle in topic.casefold():
            offered.setdefault(topic, f"{topic} · you follow it")
    for code, name in matching_categories(typed):
        if name.casefold() not in followed:
            offered.setdefault(name.lower(), f"{name.lower()} · arXiv {code}")
    return [(name, value) for value, name in offered.items()][:CHOICES]


@command("subscribe", "Follow a research topic; your picks and the server digest use it.",
         topic=text("Keywords, e.g. graph neural networks", max_length=TOPIC_MAX, suggest=topic_ideas))
async def subscribe(ctx: Invoker, topic: str) -> Reply:
    clean, created, advice = await ctx.call(ctx.service.subscribe_and_advise, _target(ctx), topic)
    topics = await ctx.call(ctx.service.topics, _target(ctx))
    if created:
        warned = advice is not None and advice.weak
        text = f"{'⚠️' if warned else '✅'} Subscribed to **{formatting.escape(clean)}**."
        text += "" if warned else " Try `/recommend` to see matching papers."
    else:
        text = f"You already follow **{formatting.escape(clean)}**."
    lines = [text, *formatting.topic_advice_lines(advice)]
    start = await ctx.call(ctx.service.start_offer, ctx.user_id) if created and len(topics) == 1 else None
    if start is not None:  # the member's first topic: five papers to rate (bot/ui/start.py)
        lines.append(INTRO)
    text = formatting.truncate("\n".join(lines), formatting.CONTENT_MAX)
    if start is None:
        return Reply(content=text, embeds=[formatting.topics_embed(topics)])
    return Reply(content=text, embeds=[formatting.topics_embed(topics), start_embed(start)],
                 view=feedback_view([p.id for p in start.papers], [p.title for p in start.papers]))


@command("unsubscribe", "Stop following one of your topics.",
         topic=text("One of your topics", max_length=TOPIC_MAX, suggest=own_topics))
async def unsubscribe(ctx: Invoker, topic: str) -> Reply:
    removed = await ctx.call(ctx.service.unsubscribe, _target(ctx), topic)
    topics = await ctx.call(ctx.service.topics, _target(ctx))
    return Reply(content=f"🗑️ Unsubscribed from **{formatting.escape(removed)}**.", embeds=[formatting.topics_embed(topics)])


@command("topics", "Your topics with their recent matches, the authors you follow and what you muted.")
async def topics(ctx: Invoker) -> Reply:
    matches = await ctx.call(ctx.service.topic_matches, _target(ctx))
    days = ctx.service.settings.recommend_window_days
    embeds = [formatting.topic_matches_embed(matches, days)]
    authors = await ctx.call(ctx.service.followed_authors, ctx.user_id)
    mutes = await ctx.call(ctx.service.mutes, ctx.user_id)
    if authors or mutes:  # the other rules over your picks (/follow, /mute)
        lines = [f"✍ {formatting.escape(name)}" for name in authors]
        lines += [f"🔇 {m.kind}: {formatting.escape(m.value)}" for m in mutes]
        embeds.append(discord.Embed(title="Authors you follow and what you muted", colour=formatting.COLOUR,
                                    description=formatting.truncate("\n".join(lines), formatting.DESCRIPTION_MAX)))
    return Reply(embeds=embeds)
