"""Embeds for papers, picks and digests, always within Discord's limits."""

from __future__ import annotations

from datetime import date

import discord

from recommender.views import DigestDraft, DigestSettings, PaperView, Recommendation

TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000
EMBEDS_PER_MESSAGE = 10
CONTENT_MAX = 2000

COLOUR = discord.Colour(0x4F7CAC)
ABSTRACT_EXCERPT = 320


def truncate(text: str, limit: int) -> str:
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def escape(text: str) -> str:
    return discord.utils.escape_markdown(text or "")


def authors_line(authors: list[str], shown: int = 3) -> str:
    if not authors:
        return "Unknown authors"
    if len(authors) <= shown:
        return ", ".join(authors)
    return ", ".join(authors[:shown]) + f" et al. ({len(authors)} authors)"


def paper_meta(paper: PaperView) -> str:
    parts = [paper.id]
    if paper.categories:
        parts.append(" ".join(paper.categories[:3]))
    if paper.published:
        parts.append(paper.published.isoformat())
    return " · ".join(parts)


def why_text(rec: Recommendation) -> str:
    text = f"Matches **{escape(rec.matched)}**"
    if rec.terms:
        text += " — " + ", ".join(f"`{t}`" for t in rec.terms)
    if rec.similar_to is not None:
        text += f"\nSimilar to “{escape(truncate(rec.similar_to.title, 90))}”"
    return text


def why_plain(rec: Recommendation) -> str:
    """The same explanation as plain text, for terminals and logs."""
    parts = [f"matches {rec.matched}"]
    if rec.terms:
        parts.append("terms: " + ", ".join(rec.terms))
    if rec.similar_to is not None:
        parts.append(f"similar to “{rec.similar_to.title}”")
    return "; ".join(parts)


def recommendation_embed(rec: Recommendation, number: int) -> discord.Embed:
    paper = rec.paper
    embed = discord.Embed(
        title=truncate(f"{number}. {paper.title}", TITLE_MAX),
        url=paper.url or None,
        description=truncate(
            f"*{escape(authors_line(paper.authors))}*\n\n{escape(truncate(paper.abstract, ABSTRACT_EXCERPT))}",
            DESCRIPTION_MAX,
        ),
        colour=COLOUR,
    )
    embed.add_field(name="Why", value=truncate(why_text(rec), FIELD_VALUE_MAX), inline=False)
    embed.set_footer(text=truncate(f"{paper_meta(paper)} · score {rec.score:.2f}", FOOTER_MAX))
    return embed


def paper_embed(paper: PaperView, heading: str | None = None) -> discord.Embed:
    embed = discord.Embed(
        title=truncate(paper.title, TITLE_MAX),
        url=paper.url or None,
        description=truncate(
            f"*{escape(authors_line(paper.authors, 6))}*\n\n{escape(truncate(paper.abstract, 1200))}", DESCRIPTION_MAX
        ),
        colour=COLOUR,
    )
    if heading:
        embed.set_author(name=truncate(heading, 256))
    embed.set_footer(text=truncate(paper_meta(paper), FOOTER_MAX))
    return embed


def digest_entry(rec: Recommendation, number: int) -> str:
    paper = rec.paper
    title = escape(truncate(paper.title, 200))
    link = f"[{title}]({paper.url})" if paper.url else title
    return (
        f"**{number}. {link}**\n"
        f"{escape(authors_line(paper.authors, 2))} · `{paper.id}`\n"
        f"> {truncate(why_text(rec).replace(chr(10), ' · '), 300)}"
    )


def digest_embed(draft: DigestDraft, title: str, first: int = 1) -> discord.Embed:
    """The digest (or one part of it, numbered from `first`) as one compact embed."""
    if draft.picks:
        lines: list[str] = []
        budget = DESCRIPTION_MAX - 200
        for number, rec in enumerate(draft.picks, start=first):
            entry = digest_entry(rec, number)
            if sum(len(x) + 2 for x in lines) + len(entry) > budget:
                lines.append(f"…and {len(draft.picks) - (number - first)} more.")
                break
            lines.append(entry)
        description = "\n\n".join(lines)
    else:
        description = draft.note or "Nothing new today."
    embed = discord.Embed(title=truncate(title, TITLE_MAX), description=description, colour=COLOUR)
    if draft.topics:
        shown = ", ".join(draft.topics[:10]) + (f" and {len(draft.topics) - 10} more" if len(draft.topics) > 10 else "")
        embed.set_footer(text=truncate(f"Topics: {shown} · 👍 💾 ✖ below to tune your own picks", FOOTER_MAX))
    return embed


def digest_title(day: date, guild_name: str = "", personal: bool = False) -> str:
    when = day.strftime("%a %d %b %Y")
    if personal:
        return f"📬 Your paper picks — {when}"
    return f"📰 Daily papers{' for ' + guild_name if guild_name else ''} — {when}"


def topics_embed(topics: list[str], whose: str = "Your topics") -> discord.Embed:
    if topics:
        body = "\n".join(f"• {escape(t)}" for t in topics)
    else:
        body = "No topics yet. Follow one with `/subscribe topic: graph neural networks`."
    return discord.Embed(title=whose, description=truncate(body, DESCRIPTION_MAX), colour=COLOUR)


def reading_list_embed(papers: list[PaperView]) -> discord.Embed:
    if not papers:
        body = "Your reading list is empty. Press 💾 under a pick, or use `/save paper: <id>`."
    else:
        lines = []
        for number, paper in enumerate(papers, start=1):
            title = escape(truncate(paper.title, 150))
            lines.append(f"{number}. [{title}]({paper.url}) · `{paper.id}`" if paper.url else f"{number}. {title}")
        body = truncate("\n".join(lines), DESCRIPTION_MAX)
    return discord.Embed(title=f"📚 Reading list ({len(papers)})", description=body, colour=COLOUR)


def settings_embed(conf: DigestSettings, channel_mention: str) -> discord.Embed:
    state = "on" if conf.enabled and conf.channel_id else "off"
    embed = discord.Embed(title="Daily digest settings", colour=COLOUR)
    embed.add_field(name="Channel", value=channel_mention, inline=True)
    embed.add_field(name="Time", value=f"{conf.time} ({conf.timezone})", inline=True)
    embed.add_field(name="Days", value=conf.weekdays, inline=True)
    embed.add_field(name="Papers", value=str(conf.size), inline=True)
    embed.add_field(name="Status", value=state, inline=True)
    return embed


def embeds_size(embeds: list[discord.Embed]) -> int:
    return sum(len(e) for e in embeds)


def fit_embeds(embeds: list[discord.Embed]) -> list[discord.Embed]:
    """Drop trailing embeds until the message is within the count and 6,000-character limits."""
    kept = embeds[:EMBEDS_PER_MESSAGE]
    while len(kept) > 1 and embeds_size(kept) > EMBED_TOTAL_MAX:
        kept.pop()
    return kept
