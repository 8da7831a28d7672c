"""/sources: the arXiv categories and Hugging Face papers a server's digest draws on; /trending."""

from __future__ import annotations

import discord

from bot import formatting
from bot.context import Invoker, Reply
from bot.registry import command, number, text
from bot.ui.charts import CHART_FILE, activity_chart
from recommender.config import split_list
from recommender.errors import PaperbotError
from recommender.views import DigestSettings, Trending

CATEGORIES_MAX = 400  # characters: 20 categories and their commas
CHART_WEEKS_MIN = 4  # /trending's chart shows at least this many weeks (more for more days)


def _guild(ctx: Invoker) -> int:
    if ctx.guild_id is None:
        raise PaperbotError("Use this command in a server, not in DMs.")
    return ctx.guild_id


async def category_choices(ctx: Invoker, current: str) -> list[str]:
    """Autocomplete the last category of a list ("cs.LG, cs.c" -> "cs.LG, cs.CL", ...), in any case."""
    if not ctx.can_manage_guild:
        return []
    head, _, last = current.rpartition(",")
    done = {c.casefold() for c in split_list(head)}
    needle = last.strip().casefold()
    known = await ctx.call(ctx.service.known_categories)
    found = [c for c in known if c.casefold().startswith(needle) and c.casefold() not in done]
    found += [c for c in known if needle in c.casefold() and c not in found and c.casefold() not in done]
    prefix = ", ".join(split_list(head))
    out = [f"{prefix}, {c}" if prefix else c for c in found]
    if not head and (not needle or "all".startswith(needle)):
        out.insert(0, "all")
    return [o for o in out if len(o) <= CATEGORIES_MAX][:25]


def sources_embed(conf: DigestSettings | None) -> discord.Embed:
    """A server's /sources (None: a server that never set anything, so every paper counts)."""
    embed = discord.Embed(title="Where this server's digest finds papers", colour=formatting.COLOUR)
    cats = ", ".join(conf.categories) if conf and conf.categories else "all the categories the bot reads"
    embed.add_field(name="arXiv categories", value=formatting.truncate(cats, formatting.FIELD_VALUE_MAX), inline=False)
    embed.add_field(name="Hugging Face Daily Papers", value="on" if conf is None or conf.hf else "off", inline=False)
    embed.set_footer(text="A paper counts when one of its categories (cross-lists too) is listed; with Hugging Face on, "
                          "every paper on Hugging Face Daily Papers counts too.")
    return embed


@command("sources", "Which papers this server's digest draws on: arXiv categories, Hugging Face (Manage Server).",
         admin=True,
         categories=text("arXiv categories, e.g. cs.LG, cs.CL (or all)", max_length=CATEGORIES_MAX,
                         suggest=category_choices),
         huggingface=text("Hugging Face Daily Papers: on or off", max_length=3, choices=("on", "off")))
async def sources(ctx: Invoker, categories: str | None = None, huggingface: str | None = None) -> Reply:
    guild = _guild(ctx)
    if categories is None and huggingface is None:
        return Reply(embeds=[sources_embed(await ctx.call(ctx.service.digest_settings, guild))])
    conf = await ctx.call(ctx.service.set_sources, guild, categories, None if huggingface is None else huggingface == "on",
                          ctx.guild_name)
    text = "✅ Saved: the digest draws on these from its next run (`/digest preview` shows it now)."
    if conf.categories:
        known = {c.casefold() for c in await ctx.call(ctx.service.known_categories)}
        new = [c for c in conf.categories if c.casefold() not in known]
        if new:
            text += (f"\nNo paper in the library is in {', '.join(f'`{c}`' for c in new[:5])} yet; "
                     "the next scheduled ingestion reads them from arXiv.")
    return Reply(content=text, embeds=[sources_embed(conf)])


def trending_embed(data: Trending, guild_name: str) -> discord.Embed:
    span = "today" if data.days == 1 else f"the last {data.days} days"
    embed = discord.Embed(title=formatting.truncate(f"Trending in {guild_name or 'this server'}, {span}", 256),
                          colour=formatting.COLOUR)
    lines = []
    for number_, (paper, likes, saves) in enumerate(data.members, start=1):
        talk = formatting.discussion_text(data.discussed.get(paper.id))
        counts = ", ".join(p for p in (f"👍 {likes}" if likes else "", f"💾 {saves}" if saves else "", talk) if p)
        title = formatting.title_md(paper.title, 150)
        lines.append(f"{number_}. [{title}]({paper.url}) · `{paper.id}` · {counts}" if paper.url
                     else f"{number_}. {title} · `{paper.id}` · {counts}")
    embed.add_field(name="Liked and saved here",
                    value=formatting.truncate("\n".join(lines), formatting.FIELD_VALUE_MAX) if lines
                    else "Nothing liked or saved yet in that time: press 👍 or 💾 under a pick.", inline=False)
    if data.upvoted:
        hf = []
        for number_, (paper, upvotes) in enumerate(data.upvoted, start=1):
            title = formatting.title_md(paper.title, 150)
            hf.append(f"{number_}. [{title}](https://huggingface.co/papers/{paper.id}) · ▲ {upvotes}")
        value = formatting.truncate("\n".join(hf), formatting.FIELD_VALUE_MAX)
    elif data.upvotes_known:
        value = "No Hugging Face Daily Papers in that time."
    else:
        value = "No Hugging Face Daily Papers read yet (`paperbot ingest hf`)."
    embed.add_field(name="Most upvoted on Hugging Face", value=value, inline=False)
    if data.discussions:
        talks = [f"{n}. {formatting.title_md(paper.title, 150)} · `{paper.id}` · {formatting.discussion_text(d)}"
                 for n, (paper, d) in enumerate(data.discussions, start=1)]
        embed.add_field(name="💬 Being discussed here", inline=False,
                        value=formatting.truncate("\n".join(talks), formatting.FIELD_VALUE_MAX))
    return embed


@command("trending", "What this server liked and saved most lately, and Hugging Face's most upvoted papers.",
         server_only=True, days=number("How many days back, 1-90 (default 7)", min_value=1, max_value=90))
async def trending(ctx: Invoker, days: int = 7) -> Reply:
    if not 1 <= days <= 90:
        raise PaperbotError("days must be between 1 and 90.")
    guild = _guild(ctx)
    data = await ctx.call(ctx.service.trending, guild, days)
    embed = trending_embed(data, ctx.guild_name)
    chart = await activity_chart(ctx.service, guild, chart_weeks(days), ctx.guild_name or "this server")
    if chart is None:  # nobody liked or saved anything in those weeks: no empty chart
        return Reply(embeds=[embed])
    embed.set_image(url=f"attachment://{CHART_FILE}")
    return Reply(embeds=[embed], files=[chart])


def chart_weeks(days: int) -> int:
    """The weeks /trending's chart shows: those the days span, at least CHART_WEEKS_MIN."""
    return max(CHART_WEEKS_MIN, -(-days // 7))
