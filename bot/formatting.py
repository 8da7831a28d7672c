"""Embeds for papers, picks and digests, always within Discord's limits."""

from __future__ import annotations

import re
from datetime import date, timedelta

import discord
from pylatexenc.latex2text import LatexNodes2Text

from recommender.views import (
    DigestDraft,
    Discussed,
    DigestSettings,
    LedgerEntry,
    PaperView,
    ProfileSummary,
    ReadingPage,
    Recommendation,
    RecommendResult,
    TopicAdvice,
    Verdict,
    week_start,
)

TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000
EMBEDS_PER_MESSAGE = 10
CONTENT_MAX = 2000

COLOUR = discord.Colour(0x4F7CAC)
LIBRARY_PAGE = 5  # reading-list papers per page


def truncate(text: str, limit: int) -> str:
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def escape(text: str) -> str:
    return discord.utils.escape_markdown(text or "")


_TEX = LatexNodes2Text(math_mode="text")
_TEX_HINT = re.compile(r"[\\~$]")  # a title without these has no TeX to undo
_BARE_PERCENT = re.compile(r"(?<!\\)%")  # "100% accurate": a percent sign, not a TeX comment


def plain_title(title: str) -> str:
    """A paper title as plain text: `Graph~Networks` -> `Graph Networks`, `$\\alpha$` -> `α`, `\\emph{x}` -> `x`."""
    title = " ".join((title or "").split())
    if not _TEX_HINT.search(title):
        return title
    text = _TEX.latex_to_text(_BARE_PERCENT.sub(r"\\%", title))
    return " ".join(text.replace("\xa0", " ").split()) or title


def title_md(title: str, limit: int | None = None) -> str:
    """A title for Discord markdown: plain text, shortened to `limit`, then escaped (`*stars*`, `A* search`)."""
    text = plain_title(title)
    return escape(truncate(text, limit) if limit else text)


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
    """What a pick matched: the topic (and on which of its words, if only some), the terms
    that drove it, the liked paper it is most like, and colleagues' likes."""
    text = f"Matches **{escape(rec.matched)}**"
    if rec.matched_on:
        text += " only on " + ", ".join(f"`{w}`" for w in rec.matched_on)
    if rec.terms:
        text += " — " + ", ".join(f"`{t}`" for t in rec.terms)
    if rec.similar_to is not None:
        text += f"\nMost like “{title_md(rec.similar_to.title, 90)}”, which you liked"
    if rec.liked_by:
        text += f"\nLiked or saved by {rec.liked_by} other member{'s' if rec.liked_by != 1 else ''}"  # feedback has no server: members of this bot
    return text


def match_text(rec: Recommendation) -> str:
    return f"match {rec.match}/100"


def verdict_text(rec: Recommendation, verdict: Verdict, digest: bool = False) -> str:
    """Whether `/why`'s paper would be picked for the member now (with `digest`: whether
    the server's digest would carry it), and if not, why."""
    bar = f"{Recommendation(rec.paper, verdict.threshold, '').match}/100"
    window = f"the last {verdict.window_days} days" + (
        f" (since {verdict.window_start.isoformat()})" if verdict.window_start else ""
    )
    picks, looker = ("the digest's", "the digest") if digest else ("your", "`/recommend`")
    if verdict.reason == "outranked" and (verdict.rank or 0) <= verdict.shown:
        return (f"➖ Not among {picks} {verdict.shown} picks now: it is #{verdict.rank} by match, but the picks are "
                f"spread over {'its topics' if digest else 'your interests'} and subjects, and similar papers took its place.")
    if digest:
        reasons = {
            "picked": f"✅ Would be in the digest now: #{verdict.rank} of the papers from {window} that clear the bar.",
            "sent": "❌ Not posted again: it was already in this server's digest.",
        }
    else:
        reasons = {
            "picked": f"✅ Would be picked for you now: #{verdict.rank} of the papers from {window} that clear the bar.",
            "dismissed": "❌ Would not be picked: you dismissed it.",
            "liked": "❌ Not picked again: you liked it already.",
            "saved": "❌ Not picked again: it is on your reading list.",
            "sent": "❌ Not picked again: it was already sent to you in a digest.",
        }
    reasons |= {
        "outranked": f"➖ Not among {picks} {verdict.shown} picks now: it clears the bar ({bar}), "
                     f"but {(verdict.rank or 1) - 1} papers from {window} rank above it.",
        "below_threshold": f"❌ Would not be picked: its {match_text(rec)} is under the bar of {bar}.",
        "outside_window": f"❌ Would not be picked: it is older than {window}, which {looker} looks at.",
    }
    return reasons.get(verdict.reason, verdict.reason)


def considered_text(result: RecommendResult) -> str:
    """What a list was drawn from: "3,000 papers from the last 30 days (of 3,297 in the library)"."""
    text = f"{result.candidates:,} papers from the last {result.window_days} days"
    if result.window_end is not None and result.window_end < date.today() - timedelta(days=1):
        text = f"{result.candidates:,} papers from the {result.window_days} days to {result.window_end.isoformat()}"
    if result.library > result.candidates:
        text += f" (of {result.library:,} in the library)"
    return text


def why_plain(rec: Recommendation) -> str:
    """The same explanation as plain text, for terminals and logs."""
    parts = [f"matches {rec.matched}" + (f" only on {', '.join(rec.matched_on)}" if rec.matched_on else "")]
    if rec.terms:
        parts.append("terms: " + ", ".join(rec.terms))
    if rec.similar_to is not None:
        parts.append(f"most like “{rec.similar_to.title}”, which you liked")
    if rec.liked_by:
        parts.append(f"liked or saved by {rec.liked_by} other member{'s' if rec.liked_by != 1 else ''}")
    return "; ".join(parts)


def recommendation_embed(rec: Recommendation, number: int) -> discord.Embed:
    """A compact pick: the linked title, authors and date, why it was picked; id, subjects and match below."""
    paper = rec.paper
    when = f" · {paper.published:%d %b %Y}" if paper.published else ""
    embed = discord.Embed(
        title=truncate(f"{number}. {title_md(paper.title)}", TITLE_MAX),
        url=paper.url or None,
        description=truncate(f"*{escape(authors_line(paper.authors))}*{when}"
                             + (f"\n{discussion_text(rec.discussion)}" if rec.discussion else ""), DESCRIPTION_MAX),
        colour=COLOUR,
    )
    embed.add_field(name="Why", value=truncate(why_text(rec), FIELD_VALUE_MAX), inline=False)
    embed.set_footer(text=truncate(f"{paper_meta(paper)} · {match_text(rec)}", FOOTER_MAX))
    return embed


def paper_embed(paper: PaperView, heading: str | None = None) -> discord.Embed:
    embed = discord.Embed(
        title=truncate(title_md(paper.title), TITLE_MAX),
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


def discussion_text(d: Discussed | None) -> str:
    """"💬 3 in #thread" for a paper being discussed on the server (`/discuss`), else nothing."""
    return f"💬 {d.messages} in <#{d.thread_id}>" if d is not None else ""


def digest_entry(rec: Recommendation, number: int) -> str:
    paper = rec.paper
    title = title_md(paper.title, 200)
    link = f"[{title}]({paper.url})" if paper.url else title
    talk = f" · {discussion_text(rec.discussion)}" if rec.discussion else ""
    return (
        f"**{number}. {link}**\n"
        f"{escape(authors_line(paper.authors, 2))} · `{paper.id}`{talk}\n"
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
        hint = " · 👍 👎 💾 🔎 below to tune your own picks" if draft.picks else ""  # no buttons under an empty digest
        embed.set_footer(text=truncate(f"Topics: {shown}{hint}", FOOTER_MAX))
    return embed


def paper_card(rec: Recommendation, number: int) -> discord.Embed:
    """One paper of a channel digest's thread: a compact embed (linked title, authors, why, match)."""
    paper = rec.paper
    embed = discord.Embed(
        title=truncate(f"{number}. {title_md(paper.title)}", TITLE_MAX),
        url=paper.url or None,
        # At most 256 + 750 + 120 characters a card (💬 included): five fit in one message's 6,000.
        description=f"*{truncate(escape(authors_line(paper.authors, 3)), 300)}*\n"
                    f"> {truncate(why_text(rec).replace(chr(10), ' · '), 400)}"
                    + (f"\n{discussion_text(rec.discussion)}" if rec.discussion else ""),
        colour=COLOUR,
    )
    embed.set_footer(text=truncate(f"{paper_meta(paper)} · {match_text(rec)}", 120))
    return embed


def digest_header(draft: DigestDraft, mention: str, total: int) -> str:
    """The message a channel digest starts with (its thread hangs on it):
    "📰 **12 new papers** for #ml-papers, Tue 24 Nov" and the topics, or why there are none."""
    when = draft.day.strftime("%a %d %b")
    if not total:
        return truncate(f"📰 {mention}, {when}: {draft.note or 'No new papers today.'}", CONTENT_MAX)
    papers = f"{total} new paper{'s' if total != 1 else ''}"
    lines = [f"📰 **{papers}** for {mention}, {when}"]
    if draft.topics:
        shown = ", ".join(escape(t) for t in draft.topics[:10])
        more = f" and {len(draft.topics) - 10} more" if len(draft.topics) > 10 else ""
        lines.append(f"Topics: {shown}{more} · 👍 💾 ✖ under each paper tune your own picks")
    return truncate("\n".join(lines), CONTENT_MAX)


def thread_name(day: date, weekly: bool = False) -> str:
    """The name of a day's (or a week's) digest thread (Discord allows 1-100 characters)."""
    if weekly:
        return f"Papers of the week of {week_start(day).strftime('%a %d %b %Y')}"
    return f"Papers {day.strftime('%a %d %b %Y')}"


def weekly_digest_header(draft: DigestDraft, mention: str, total: int) -> str:
    """The message a weekly channel digest starts with: "📰 **34 new papers this week** for
    #ml-papers, week of Mon 23 Nov" and the topics, or why there are none."""
    week = f"week of {week_start(draft.day).strftime('%a %d %b')}"
    if not total:
        return truncate(f"📰 {mention}, {week}: {draft.note or 'No new papers this week.'}", CONTENT_MAX)
    lines = [f"📰 **{total} new paper{'s' if total != 1 else ''} this week** for {mention}, {week}"]
    if draft.topics:
        shown = ", ".join(escape(t) for t in draft.topics[:10])
        more = f" and {len(draft.topics) - 10} more" if len(draft.topics) > 10 else ""
        lines.append(f"Topics: {shown}{more} · 👍 💾 ✖ under each paper tune your own picks")
    return truncate("\n".join(lines), CONTENT_MAX)


def cadence_text(cadence: str, weekdays: str, week_day: str) -> str:
    """A digest's days in a sentence: its weekdays ("mon-fri") or "weekly, on Mon"."""
    return f"weekly, on {week_day.capitalize()}" if cadence == "weekly" else weekdays


def digest_notice(entry: LedgerEntry, mention: str) -> str:
    """What an admin is told, once, at their next admin command, about a digest that failed (or went
    out without a thread)."""
    day = entry.day.strftime("%a %d %b")
    if entry.status == "failed":
        retry = (f"I'll try again at {entry.next_retry_at:%H:%M} UTC" if entry.next_retry_at
                 else "no more tries that day; `/digest now` tries again")
        return truncate(f"⚠️ The digest for {day} could not be posted in {mention}: {entry.error} "
                        f"({retry}; `/digest status` shows more).", 600)
    return (f"ℹ️ The digest for {day} was posted in {mention} itself, not in a thread: give me "
            f"{THREAD_PERMISSIONS} there to get one thread a day.")


THREAD_PERMISSIONS = "Create Public Threads and Send Messages in Threads"


def digest_title(day: date, guild_name: str = "", personal: bool = False, weekly: bool = False) -> str:
    when = day.strftime("%a %d %b %Y")
    if weekly:
        week = f"week of {week_start(day).strftime('%a %d %b %Y')}"
        return f"📬 Your papers of the week — {week}" if personal else \
            f"📰 Papers of the week{' for ' + guild_name if guild_name else ''} — {week}"
    if personal:
        return f"📬 Your paper picks — {when}"
    return f"📰 Daily papers{' for ' + guild_name if guild_name else ''} — {when}"


def _codes(words: list[str]) -> str:
    return ", ".join(f"`{escape(w)}`" for w in words)


def topic_advice_lines(advice: TopicAdvice | None) -> list[str]:
    """What a member should know about a topic they subscribe to: how it is read, and
    whether the library can match it well (with better topics from the library)."""
    if advice is None:
        return []
    lines = [
        f"ℹ️ `{escape(short)}` is read as “{escape(long)}” (as {count:,} papers in the library introduce it)."
        for short, (long, count) in advice.acronyms.items()
    ]
    for word, phrases in advice.common.items():
        lines.append(
            f"ℹ️ `{escape(word)}` is in more than half of the papers, so it is read through its most common "
            f"phrases ({_codes(phrases[:3])}, …); a more specific topic gives sharper picks."
        )
    if advice.unknown:
        carried = f" it matches on {_codes(advice.terms[:3])} alone" if advice.terms else " it matches nothing"
        verb = "occurs" if len(advice.unknown) == 1 else "occur"
        lines.append(f"⚠️ {_codes(advice.unknown)} {verb} in no paper of the library, so{carried} ({advice.papers:,} papers).")
    elif advice.weak:
        lines.append(f"⚠️ Only {advice.papers:,} of the library's {advice.library:,} papers mention this topic.")
    if advice.weak and advice.suggestions:
        lines.append("Did you mean " + ", ".join(f"**{escape(s)}**" for s in advice.suggestions) + "? "
                     "Subscribe to one of them, and `/unsubscribe` this one if you like.")
    return lines


def topics_embed(topics: list[str], whose: str = "Your topics") -> discord.Embed:
    if topics:
        body = "\n".join(f"• {escape(t)}" for t in topics)
    else:
        body = "No topics yet. Follow one with `/subscribe topic: graph neural networks`."
    return discord.Embed(title=whose, description=truncate(body, DESCRIPTION_MAX), colour=COLOUR)


def topic_matches_embed(matches: list[tuple[str, int]], days: int) -> discord.Embed:
    """The member's topics, each with how many papers of the last `days` days it matches."""
    if matches:
        body = "\n".join(f"• **{escape(t)}** — {n:,} paper{'s' * (n != 1)}" for t, n in matches)
        footer = f"Papers from the last {days} days that each topic matches well enough to be picked."
    else:
        body, footer = "No topics yet. Follow one with `/subscribe topic: graph neural networks`.", ""
    embed = discord.Embed(title="Your topics", description=truncate(body, DESCRIPTION_MAX), colour=COLOUR)
    if footer:
        embed.set_footer(text=footer)
    return embed


def reading_page_embed(page: ReadingPage) -> discord.Embed:
    """One page of the reading list: numbered, linked, read ones ticked."""
    if not page.total:
        body = "Your reading list is empty. Press 💾 under a pick, or use `/save paper: <id>`."
    else:
        lines = []
        first = (page.page - 1) * LIBRARY_PAGE + 1
        for number, item in enumerate(page.items, start=first):
            paper = item.paper
            title = title_md(paper.title, 150)
            linked = f"[{title}]({paper.url})" if paper.url else title
            mark = "✅" if item.read else "📄"
            lines.append(f"{mark} **{number}.** {linked}\n{escape(authors_line(paper.authors, 2))} · `{paper.id}` · "
                         f"saved {item.added:%d %b %Y}")
        body = truncate("\n\n".join(lines), DESCRIPTION_MAX)
    embed = discord.Embed(title=f"📚 Reading list ({page.total}, {page.unread} unread)", description=body, colour=COLOUR)
    if page.pages > 1:
        embed.set_footer(text=f"Page {page.page} of {page.pages}")
    return embed


def profile_embed(summary: ProfileSummary) -> discord.Embed:
    """What paperbot has learned about a member."""
    embed = discord.Embed(title="🧠 What paperbot has learned about you", colour=COLOUR)
    topics = "\n".join(f"• {escape(t)} — {n:,} recent paper{'s' * (n != 1)}" for t, n in summary.topics)
    embed.add_field(name=f"Topics ({len(summary.topics)})", value=truncate(topics or "none yet", FIELD_VALUE_MAX),
                    inline=False)
    embed.add_field(name="👍 Likes", value=f"{summary.likes:,}")
    embed.add_field(name="👎 Not interested", value=f"{summary.dismissals:,}")
    embed.add_field(name="💾 Saved", value=f"{summary.saves:,} ({summary.read:,} read)")
    terms = ", ".join(f"`{escape(t)}`" for t in summary.terms)
    embed.add_field(name="Terms that weigh most", value=truncate(terms or "none yet: follow a topic or like a paper",
                                                               FIELD_VALUE_MAX), inline=False)
    embed.set_footer(text=f"Topic counts: papers of the last {summary.window_days} days. `/profile reset` starts over.")
    return embed


def reading_list_embed(papers: list[PaperView]) -> discord.Embed:
    if not papers:
        body = "Your reading list is empty. Press 💾 under a pick, or use `/save paper: <id>`."
    else:
        lines = []
        for number, paper in enumerate(papers, start=1):
            title = title_md(paper.title, 150)
            lines.append(f"{number}. [{title}]({paper.url}) · `{paper.id}`" if paper.url else f"{number}. {title}")
        body = truncate("\n".join(lines), DESCRIPTION_MAX)
    return discord.Embed(title=f"📚 Reading list ({len(papers)})", description=body, colour=COLOUR)


def settings_embed(conf: DigestSettings, channel_mention: str) -> discord.Embed:
    state = "on" if conf.enabled and conf.channel_id else "off"
    embed = discord.Embed(title=f"{conf.cadence.capitalize()} digest settings", colour=COLOUR)
    embed.add_field(name="Channel", value=channel_mention, inline=True)
    embed.add_field(name="Time", value=f"{conf.time} ({conf.timezone})", inline=True)
    embed.add_field(name="Days", value=conf.week_day if conf.cadence == "weekly" else conf.weekdays, inline=True)
    embed.add_field(name="Cadence", value=conf.cadence, inline=True)
    embed.add_field(name="Papers", value=str(conf.size), inline=True)
    embed.add_field(name="Status", value=state, inline=True)
    cats = ", ".join(conf.categories) if conf.categories else "all categories"
    embed.add_field(name="Sources", value=truncate(f"arXiv: {cats}; Hugging Face: {'on' if conf.hf else 'off'}",
                                                   FIELD_VALUE_MAX), inline=True)
    return embed


def embeds_size(embeds: list[discord.Embed]) -> int:
    return sum(len(e) for e in embeds)


def fit_embeds(embeds: list[discord.Embed]) -> list[discord.Embed]:
    """Drop trailing embeds until the message is within the count and 6,000-character limits."""
    kept = embeds[:EMBEDS_PER_MESSAGE]
    while len(kept) > 1 and embeds_size(kept) > EMBED_TOTAL_MAX:
        kept.pop()
    return kept
