"""/follow, /unfollow and /authors: followed authors' new papers are pinned at the top of your picks."""

from __future__ import annotations

import discord

from bot import formatting
from bot.context import Invoker, Reply
from bot.registry import command, group, text

NAME_MAX = 100  # Discord's limit for a choice's value

group("authors", "The authors you follow, and the ones your likes suggest.")


async def library_authors(ctx: Invoker, current: str) -> list[tuple[str, str]]:
    """The library's authors fitting what was typed: "name · N papers" (with categories when ambiguous)."""
    return await ctx.call(ctx.service.author_choices, current)


async def followed(ctx: Invoker, current: str) -> list[str]:
    mine = await ctx.call(ctx.service.followed_authors, ctx.user_id)
    needle = current.casefold().strip()
    return [n for n in mine if needle in n.casefold()][:25]


def followed_embed(names: list[str]) -> discord.Embed:
    body = "\n".join(f"• {formatting.escape(n)}" for n in names) or (
        "You follow no authors yet. `/follow author: <name>` pins their new papers at the top of your picks.")
    return discord.Embed(title="✍ Authors you follow", description=formatting.truncate(body, 4000), colour=formatting.COLOUR)


@command("follow", "Follow an author: their new papers are always in your picks, pinned on top.",
         author=text("The author's name, e.g. Yoshua Bengio (pick from the list)", min_length=2, max_length=NAME_MAX,
                     suggest=library_authors))
async def follow(ctx: Invoker, author: str) -> Reply:
    name, created, person = await ctx.call(ctx.service.follow_author, ctx.user_id, author)
    shown = formatting.escape(name)
    if not created:
        return Reply(content=f"You already follow **{shown}**.")
    if person is None:
        found = "No papers by them in the library yet; their new ones will be pinned when they arrive."
    else:
        found = f"{person.papers} paper{'s' * (person.papers != 1)} in the library"
        found += f" ({', '.join(person.top_categories())})." if person.categories else "."
    return Reply(content=f"✍ Following **{shown}**. {found} Their new papers are pinned at the top of `/recommend` "
                         "and your DM digest, whatever their match.")


@command("unfollow", "Stop following an author.",
         author=text("An author you follow", min_length=1, max_length=NAME_MAX, suggest=followed))
async def unfollow(ctx: Invoker, author: str) -> Reply:
    name = await ctx.call(ctx.service.unfollow_author, ctx.user_id, author)
    return Reply(content=f"🗑️ No longer following **{formatting.escape(name)}**.")


@command("authors list", "The authors you follow.")
async def authors_list(ctx: Invoker) -> Reply:
    return Reply(embeds=[followed_embed(await ctx.call(ctx.service.followed_authors, ctx.user_id))])


@command("authors suggest", "The authors who recur most among the papers you liked or saved.")
async def authors_suggest(ctx: Invoker) -> Reply:
    found = await ctx.call(ctx.service.suggest_authors, ctx.user_id)
    if not found:
        return Reply(content="No author recurs among your likes and saves yet (two papers or more). "
                             "Like papers with 👍 and try again, or `/follow` an author by name.")
    lines = [f"• **{formatting.escape(name)}** · {n} of the papers you liked or saved" for name, n in found]
    embed = discord.Embed(title="✍ Authors your likes suggest", description=formatting.truncate("\n".join(lines), 4000),
                          colour=formatting.COLOUR)
    embed.set_footer(text="Follow one with /follow author: <name>")
    return Reply(embeds=[embed])
