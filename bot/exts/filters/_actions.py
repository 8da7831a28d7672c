"""/mute keyword|category|author, /unmute and /mutes: muted papers never appear in your picks or DM digest."""

from __future__ import annotations

import discord

from bot import formatting
from bot.context import Invoker, Reply
from bot.registry import command, group, text
from bot.ui.mutes import ENTRY_MAX, library_authors, matching, parse_entry
from bot.ui.mutes import mutes_embed as listed
from recommender.members.mutes import VALUE_MAX, MuteEntry

group("mute", "Never see papers with a keyword, in a category, or by an author in your picks.")
EMPTY = "Nothing muted. `/mute keyword`, `/mute category` or `/mute author` keeps such papers out of your picks."


async def own_mutes(ctx: Invoker, current: str) -> list[str]:
    return matching(await ctx.call(ctx.service.mutes, ctx.user_id), current)


def mutes_embed(entries: list[MuteEntry]) -> discord.Embed:
    return listed(entries, empty=EMPTY)


async def _mute(ctx: Invoker, kind: str, value: str) -> Reply:
    entry, created = await ctx.call(ctx.service.mute, ctx.user_id, kind, value)
    shown = formatting.escape(entry.value)
    if not created:
        return Reply(content=f"The {kind} **{shown}** is muted already.")
    return Reply(content=f"🔇 Muted the {kind} **{shown}**: such papers won't appear in your picks or DM digest.",
                 embeds=[mutes_embed(await ctx.call(ctx.service.mutes, ctx.user_id))])


@command("mute keyword", "Never see papers whose title or abstract has this word or phrase.",
         word=text("A word or phrase, e.g. benchmark", min_length=2, max_length=VALUE_MAX))
async def mute_keyword(ctx: Invoker, word: str) -> Reply:
    return await _mute(ctx, "keyword", word)


@command("mute category", "Never see papers of this arXiv category.",
         code=text("An arXiv category, e.g. cs.CV", min_length=2, max_length=32))
async def mute_category(ctx: Invoker, code: str) -> Reply:
    return await _mute(ctx, "category", code)


@command("mute author", "Never see papers by this author.",
         who=text("The author's name (pick from the list)", min_length=2, max_length=VALUE_MAX,
                   suggest=library_authors))
async def mute_author(ctx: Invoker, who: str) -> Reply:
    return await _mute(ctx, "author", who)


@command("unmute", "Stop muting a keyword, category or author.",
         mute=text("One of your mutes, e.g. keyword: benchmark", min_length=3, max_length=ENTRY_MAX,
                   suggest=own_mutes))
async def unmute(ctx: Invoker, mute: str) -> Reply:
    kind, value = parse_entry(mute)
    entry = await ctx.call(ctx.service.unmute, ctx.user_id, kind, value)
    return Reply(content=f"🔈 Unmuted the {entry.kind} **{formatting.escape(entry.value)}**.",
                 embeds=[mutes_embed(await ctx.call(ctx.service.mutes, ctx.user_id))])


@command("mutes", "List what you muted.")
async def mutes(ctx: Invoker) -> Reply:
    return Reply(embeds=[mutes_embed(await ctx.call(ctx.service.mutes, ctx.user_id))])
