"""Server digest settings, posting a digest now, and personal DM digests."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import discord

from bot import formatting
from bot.context import Invoker, Reply
from bot.exts.digest._delivery import deliver, digest_reply
from bot.registry import channel as text_channel
from bot.registry import command, group, number, text
from bot.ui.mutes import ENTRY_MAX, library_authors, matching, mutes_embed, parse_entry
from recommender.config import CADENCES, WEEKDAYS as DAYS, timezone_names
from recommender.errors import PaperbotError
from recommender.members.mutes import VALUE_MAX, MuteEntry
from recommender.views import DmSettings, LedgerEntry, Target

# Announced with the server id after its digest settings change; the cog resyncs the job.
SETTINGS_CHANGED = "digest_settings_changed"

group("digest", "The server's paper digest, daily or weekly")
group("digest topics", "The digest channel's own topics (else its members' topics are used)")
group("digest mute", "Keep papers with a keyword, in a category, or by an author out of the digest")
group("dm", "Your personal picks by DM")

# Offered first when nothing is typed yet: UTC and the zones of the biggest research hubs.
COMMON_ZONES = ("UTC", "Europe/London", "Europe/Berlin", "Europe/Paris", "America/New_York", "America/Chicago",
                "America/Los_Angeles", "Asia/Shanghai", "Asia/Tokyo", "Asia/Kolkata", "Asia/Singapore",
                "Australia/Sydney")


async def timezone_choices(ctx: Invoker, current: str) -> list[str]:
    """IANA names containing what was typed, in any case ("berlin", "new york"); prefixes first."""
    needle = current.strip().casefold().replace(" ", "_")
    if not needle:
        return list(COMMON_ZONES)
    names = timezone_names()
    starts = [n for n in names if n.casefold().startswith(needle) or n.casefold().split("/")[-1].startswith(needle)]
    rest = [n for n in names if needle in n.casefold() and n not in starts]
    return (starts + rest)[:25]


TIME = text("HH:MM, 24-hour clock, e.g. 08:30", max_length=5)
TIMEZONE = text("IANA time zone, e.g. Europe/Berlin", max_length=64, suggest=timezone_choices)
WEEKDAYS = text("e.g. mon-fri, daily or mon,wed,fri", max_length=60)
CADENCE = text("daily, or weekly: the week's papers once a week", max_length=6, choices=CADENCES)
DAY = text("The day of a weekly digest (sets the cadence to weekly)", max_length=3, choices=DAYS)
TOPIC_MAX = 100


def _guild(ctx: Invoker) -> int:
    if ctx.guild_id is None:
        raise PaperbotError("Use this command in a server, not in DMs.")
    return ctx.guild_id


def _settings_reply(ctx: Invoker, text: str, conf) -> Reply:  # type: ignore[no-untyped-def]
    mention = ctx.publisher.mention(conf.channel_id) if ctx.publisher and conf.channel_id else "not set"
    return Reply(content=text, embeds=[formatting.settings_embed(conf, mention)])


@command("digest channel", "Post the digest in a channel (Manage Server).", admin=True,
         channel=text_channel("Channel that gets the daily digest"))
async def digest_channel(ctx: Invoker, channel: int) -> Reply:
    before = await ctx.call(ctx.service.digest_settings, _guild(ctx))
    moving: list[str] = []  # the old digest channel's own topics go with the digest
    if before is not None and before.channel_id not in (None, channel):
        _, moving = await ctx.call(ctx.service.channel_topics, before.guild_id)
    conf = await ctx.call(ctx.service.configure_digest, _guild(ctx), channel_id=channel, name=ctx.guild_name)
    ctx.dispatch(SETTINGS_CHANGED, conf.guild_id)
    where = ctx.publisher.mention(channel) if ctx.publisher else str(channel)
    every = f"weekly digest will be posted in {where} every {conf.week_day.capitalize()}" if conf.cadence == "weekly" \
        else f"daily digest will be posted in {where}"
    text = f"📰 The {every} at {conf.time} ({conf.timezone})."
    if moving:
        text += f" Its {len(moving)} own topic{'s' * (len(moving) != 1)} moved with it."
    return _settings_reply(ctx, text + thread_warning(ctx, channel, where), conf)


def thread_warning(ctx: Invoker, channel: int, where: str) -> str:
    """A line for the admin when the bot could not open the day's thread in the channel."""
    can_open = getattr(ctx.publisher, "can_open_threads", None)  # publishers without threads: nothing to say
    if can_open is None or can_open(channel) is not False:
        return ""
    return (f"\n⚠️ I can't open threads in {where}: each day's papers will follow the header in the channel. "
            f"Give me {formatting.THREAD_PERMISSIONS} there for one thread a day.")


@command("digest schedule", "When and how often the digest is posted (Manage Server).", admin=True,
         time=TIME, timezone=TIMEZONE, weekdays=WEEKDAYS,
         size=number("Papers per digest, 1-25", min_value=1, max_value=25), cadence=CADENCE, day=DAY)
async def digest_schedule(
    ctx: Invoker, time: str | None = None, timezone: str | None = None, weekdays: str | None = None,
    size: int | None = None, cadence: str | None = None, day: str | None = None,
) -> Reply:
    conf = await ctx.call(
        ctx.service.configure_digest, _guild(ctx), time=time, timezone=timezone, weekdays=weekdays, size=size,
        cadence=cadence, day=day, name=ctx.guild_name,
    )
    ctx.dispatch(SETTINGS_CHANGED, conf.guild_id)
    when = formatting.cadence_text(conf.cadence, conf.weekdays, conf.week_day)
    return _settings_reply(ctx, f"🕗 Digest schedule updated: {when} at {conf.time} ({conf.timezone}).", conf)


@command("digest status", "Show this server's digest settings (Manage Server).", admin=True)
async def digest_status(ctx: Invoker) -> Reply:
    conf = await ctx.call(ctx.service.digest_settings, _guild(ctx))
    if conf is None or conf.channel_id is None:
        return Reply(content="No digest channel yet. An admin can set one with `/digest channel`.")
    reply = _settings_reply(ctx, "Current digest settings:", conf)
    _, own = await ctx.call(ctx.service.channel_topics, conf.guild_id)
    reply.embeds[0].add_field(
        name="Topics", inline=False,
        value=formatting.truncate(f"its own: {', '.join(own)}", formatting.FIELD_VALUE_MAX) if own
        else "the topics of this server's members (`/digest topics add` gives it its own)")
    _, muted = await ctx.call(ctx.service.channel_mutes, conf.guild_id)
    reply.embeds[0].add_field(name="Mutes", inline=False, value=formatting.truncate(
        ", ".join(f"{e.kind} {e.value}" for e in muted), formatting.FIELD_VALUE_MAX) if muted
        else "none (`/digest mute` keeps a keyword, category or author out of it)")
    latest, failure = await ctx.call(ctx.service.digest_history, Target.channel(conf.channel_id, conf.guild_id))
    note = failure_note(latest, failure)
    if latest is not None and latest.in_channel and latest.status == "sent":  # posted without its thread
        where = ctx.publisher.mention(conf.channel_id) if ctx.publisher else f"<#{conf.channel_id}>"
        note = "\n".join(filter(None, [note, formatting.digest_notice(latest, where)]))
    if note:
        reply.content = f"{reply.content}\n{note}"
    return reply


def failure_note(latest: LedgerEntry | None, failure: LedgerEntry | None) -> str:
    """What `/digest status` says about the newest failed digest (times in UTC)."""
    if failure is None or failure.failed_at is None:
        return ""
    when = f"{failure.failed_at:%Y-%m-%d %H:%M} UTC"
    if failure.status == "sent":
        return f"Last failure: {when}, sent on a later try ({failure.error})."
    if failure.status != "failed" or latest is None or latest.id != failure.id:
        return f"Last failure: {when} ({failure.error})."
    retry = (f"next try at {failure.next_retry_at:%H:%M} UTC" if failure.next_retry_at
             else "no more tries today; `/digest now` tries again")
    return f"⚠️ The digest for {failure.day.isoformat()} failed at {when}: {failure.error}. ({retry}, {failure.attempts} tries so far)"


@command("digest off", "Stop posting the daily digest (Manage Server).", admin=True)
async def digest_off(ctx: Invoker) -> Reply:
    conf = await ctx.call(ctx.service.configure_digest, _guild(ctx), enabled=False)
    ctx.dispatch(SETTINGS_CHANGED, conf.guild_id)
    return _settings_reply(ctx, f"⏸️ {conf.cadence.capitalize()} digest switched off. `/digest channel` switches it on "
                                f"again.", conf)


@command("digest preview", "Show the digest that would be posted now, without posting it (Manage Server).",
         admin=True)
async def digest_preview(ctx: Invoker) -> Reply:
    draft = await ctx.call(ctx.service.compose_channel_digest, _guild(ctx))
    reply = digest_reply(draft, ctx.guild_name)
    reply.content, reply.ephemeral, reply.view = "👀 Preview (not posted):", True, None
    return reply


@command("digest why", "Would a paper be in this server's digest now, and if not, why (Manage Server).",
         admin=True, paper=text("arXiv id, e.g. 2406.01234", max_length=64))
async def digest_why(ctx: Invoker, paper: str) -> Reply:
    rec = await ctx.call(ctx.service.why_in_digest, _guild(ctx), paper)
    embed = formatting.paper_embed(rec.paper, heading="In this server's digest?")
    verdict = formatting.verdict_text(rec, rec.verdict, digest=True) if rec.verdict else ""
    muted = await ctx.call(ctx.service.channel_mute_reason, _guild(ctx), rec.paper.id)
    if muted:  # the ranking would not even see it
        verdict = f"🔇 Never in this digest: it mutes the {formatting.escape(muted)} (`/digest unmute`)."
    embed.add_field(name=formatting.match_text(rec).capitalize(),
                    value=formatting.truncate(f"{verdict}\n{formatting.why_text(rec)}".strip(), 1024), inline=False)
    return Reply(embeds=[embed])


@command("digest now", "Post today's digest (this week's, for a weekly one) now (Manage Server).", admin=True)
async def digest_now(ctx: Invoker) -> Reply:
    guild_id = _guild(ctx)
    conf = await ctx.call(ctx.service.digest_settings, guild_id)
    if conf is None or conf.channel_id is None:
        return Reply.error("No digest channel yet: set one with `/digest channel` first.")
    if ctx.publisher is None:
        return Reply.error("Posting is not available here.")
    day = datetime.now(ZoneInfo(conf.timezone)).date()
    draft = await ctx.call(ctx.service.compose_channel_digest, guild_id, day=day)
    outcome = await deliver(ctx.service, ctx.publisher, draft, ctx.guild_name, conf.timezone)
    where = ctx.publisher.mention(conf.channel_id)
    which = "this week's" if draft.weekly else "today's"
    if outcome.status == "sent":
        thread = f" (the papers in {'the week' if draft.weekly else 'today'}'s thread)" if outcome.in_thread else ""
        return Reply(content=f"✅ Posted {which} digest ({outcome.papers} papers) in {where}{thread}.")
    if outcome.status == "already":
        return Reply(content=f"ℹ️ {which.capitalize()} digest was already posted in {where} (or another digest "
                             f"today); nothing is posted twice.")
    return Reply.error(f"Could not post in {where}: {outcome.detail}")


def _channel_topics_reply(ctx: Invoker, channel_id: int, topics: list[str], text: str | None = None) -> Reply:
    where = ctx.publisher.mention(channel_id) if ctx.publisher else f"channel {channel_id}"
    embed = formatting.topics_embed(topics, whose=f"Topics of the digest in {where}"[:256])
    if not topics:
        embed.description = ("No topics of its own: the digest follows the topics of this server's members. "
                             "`/digest topics add` gives it its own.")
    else:
        embed.set_footer(text="The digest picks papers for these topics (not the members' own).")
    return Reply(content=text, embeds=[embed])


async def channel_topic_choices(ctx: Invoker, current: str) -> list[str]:
    """The digest channel's own topics containing what was typed (for autocomplete)."""
    if ctx.guild_id is None or not ctx.can_manage_guild:
        return []
    try:
        _, topics = await ctx.call(ctx.service.channel_topics, ctx.guild_id)
    except PaperbotError:
        return []
    needle = current.casefold().strip()
    return [t for t in topics if needle in t.casefold()][:25]


@command("digest topics add", "Give the digest channel a topic of its own (Manage Server).", admin=True,
         topic=text("Keywords, e.g. graph neural networks", max_length=TOPIC_MAX))
async def digest_topics_add(ctx: Invoker, topic: str) -> Reply:
    guild = _guild(ctx)
    channel_id, _ = await ctx.call(ctx.service.channel_topics, guild)
    clean, created, advice = await ctx.call(ctx.service.subscribe_and_advise, Target.channel(channel_id, guild), topic)
    _, topics = await ctx.call(ctx.service.channel_topics, guild)
    if created:
        warned = advice is not None and advice.weak
        text = f"{'⚠️' if warned else '✅'} The digest now follows **{formatting.escape(clean)}**."
        if len(topics) == 1:
            text += " From now on it picks papers for its own topics, not the members'."
    else:
        text = f"The digest already follows **{formatting.escape(clean)}**."
    text = formatting.truncate("\n".join([text, *formatting.topic_advice_lines(advice)]), formatting.CONTENT_MAX)
    return _channel_topics_reply(ctx, channel_id, topics, text)


@command("digest topics remove", "Remove one of the digest channel's topics (Manage Server).", admin=True,
         topic=text("One of the digest channel's topics", max_length=TOPIC_MAX, suggest=channel_topic_choices))
async def digest_topics_remove(ctx: Invoker, topic: str) -> Reply:
    guild = _guild(ctx)
    channel_id, _ = await ctx.call(ctx.service.channel_topics, guild)
    removed = await ctx.call(ctx.service.unsubscribe, Target.channel(channel_id, guild), topic)
    _, topics = await ctx.call(ctx.service.channel_topics, guild)
    text = f"🗑️ The digest no longer follows **{formatting.escape(removed)}**."
    if not topics:
        text += " It has no topics of its own now: it follows the members' topics again."
    return _channel_topics_reply(ctx, channel_id, topics, text)


@command("digest topics list", "The digest channel's own topics (Manage Server).", admin=True)
async def digest_topics_list(ctx: Invoker) -> Reply:
    channel_id, topics = await ctx.call(ctx.service.channel_topics, _guild(ctx))
    return _channel_topics_reply(ctx, channel_id, topics)


def _channel_mutes_reply(ctx: Invoker, channel_id: int, entries: list[MuteEntry], text: str | None = None) -> Reply:
    where = ctx.publisher.mention(channel_id) if ctx.publisher else f"channel {channel_id}"
    embed = mutes_embed(entries, title=f"🔇 Muted in the digest in {where}",
                        empty="Nothing muted: `/digest mute keyword`, `category` or `author` keeps such papers out "
                              "of the digest. Members' own `/mute` only changes their own picks.")
    return Reply(content=text, embeds=[embed])


async def _digest_mute(ctx: Invoker, kind: str, value: str) -> Reply:
    entry, created = await ctx.call(ctx.service.channel_mute, _guild(ctx), kind, value)
    channel_id, entries = await ctx.call(ctx.service.channel_mutes, _guild(ctx))
    shown = formatting.escape(entry.value)
    text = (f"🔇 The digest mutes the {kind} **{shown}**: such papers are never posted in it (scheduled, "
            f"`/digest now` or `/digest preview`)." if created else f"The digest mutes the {kind} **{shown}** already.")
    return _channel_mutes_reply(ctx, channel_id, entries, text)


async def channel_mute_choices(ctx: Invoker, current: str) -> list[str]:
    """The digest channel's mutes containing what was typed (for autocomplete)."""
    if ctx.guild_id is None or not ctx.can_manage_guild:
        return []
    try:
        _, entries = await ctx.call(ctx.service.channel_mutes, ctx.guild_id)
    except PaperbotError:
        return []
    return matching(entries, current)


@command("digest mute keyword", "Keep papers with this word or phrase out of the digest (Manage Server).",
         admin=True, word=text("A word or phrase, e.g. benchmark", min_length=2, max_length=VALUE_MAX))
async def digest_mute_keyword(ctx: Invoker, word: str) -> Reply:
    return await _digest_mute(ctx, "keyword", word)


@command("digest mute category", "Keep papers of this arXiv category out of the digest (Manage Server).",
         admin=True, code=text("An arXiv category, e.g. cs.CV", min_length=2, max_length=32))
async def digest_mute_category(ctx: Invoker, code: str) -> Reply:
    return await _digest_mute(ctx, "category", code)


@command("digest mute author", "Keep papers by this author out of the digest (Manage Server).", admin=True,
         who=text("The author's name (pick from the list)", min_length=2, max_length=VALUE_MAX,
                   suggest=library_authors))
async def digest_mute_author(ctx: Invoker, who: str) -> Reply:
    return await _digest_mute(ctx, "author", who)


@command("digest unmute", "Lift one of the digest's mutes (Manage Server).",
         admin=True, mute=text("One of the digest's mutes, e.g. keyword: benchmark", min_length=3,
                                max_length=ENTRY_MAX, suggest=channel_mute_choices))
async def digest_unmute(ctx: Invoker, mute: str) -> Reply:
    kind, value = parse_entry(mute)
    entry = await ctx.call(ctx.service.channel_unmute, _guild(ctx), kind, value)
    channel_id, entries = await ctx.call(ctx.service.channel_mutes, _guild(ctx))
    text = f"🔈 The digest no longer mutes the {entry.kind} **{formatting.escape(entry.value)}**."
    return _channel_mutes_reply(ctx, channel_id, entries, text)


@command("dm on", "Get your personal picks by DM every day (or week: `/settings cadence`).", time=TIME, timezone=TIMEZONE)
async def dm_on(ctx: Invoker, time: str | None = None, timezone: str | None = None) -> Reply:
    _, at, tz = await ctx.call(ctx.service.set_dm_digest, ctx.user_id, True, time, timezone)
    conf = await ctx.call(ctx.service.dm_settings, ctx.user_id)
    every = f"every {conf.week_day.capitalize()}" if conf.cadence == "weekly" else "every day"
    return Reply(content=f"📬 You'll get your personal picks by DM {every} at {at} ({tz}). `/dm off` stops them.")


@command("dm off", "Stop your daily DM picks.")
async def dm_off(ctx: Invoker) -> Reply:
    await ctx.call(ctx.service.set_dm_digest, ctx.user_id, False)
    return Reply(content="📭 Daily DM picks switched off.")


def dm_settings_embed(conf: DmSettings) -> discord.Embed:
    embed = discord.Embed(title="Your DM digest", colour=formatting.COLOUR)
    embed.add_field(name="Status", value="on" if conf.enabled else "off")
    embed.add_field(name="Time", value=f"{conf.time} ({conf.timezone})")
    embed.add_field(name="Days", value=conf.week_day if conf.cadence == "weekly" else conf.weekdays)
    embed.add_field(name="Cadence", value=conf.cadence)
    embed.add_field(name="Papers", value=f"up to {conf.size}" + ("" if conf.custom_size else " (default)"))
    embed.add_field(name="Threshold", value=f"match above {conf.min_match}" + ("" if conf.custom_bar else " (default)"))
    embed.set_footer(text="/settings dm: on|off, time, timezone, days, cadence: daily|weekly, day (of a weekly "
                          "digest), size, threshold (a match from 0 to 95)")
    return embed


@command("settings", "Your DM digest: on or off, time, time zone, days or weekly, size, threshold.",
         dm=text("Personal picks by DM: on or off", max_length=3, choices=("on", "off")),
         time=TIME, timezone=TIMEZONE, days=WEEKDAYS,
         size=number("Papers per DM digest, 1-25", min_value=1, max_value=25),
         threshold=number("Only papers with a higher match (0-95; the default shows what it is)",
                          min_value=0, max_value=95),
         cadence=CADENCE, day=DAY)
async def settings(
    ctx: Invoker, dm: str | None = None, time: str | None = None, timezone: str | None = None,
    days: str | None = None, size: int | None = None, threshold: int | None = None, cadence: str | None = None,
    day: str | None = None,
) -> Reply:
    changes = {"enabled": None if dm is None else dm == "on", "time": time, "tz": timezone, "weekdays": days,
               "size": size, "min_match": threshold, "cadence": cadence, "day": day}
    if all(v is None for v in changes.values()):
        return Reply(embeds=[dm_settings_embed(await ctx.call(ctx.service.dm_settings, ctx.user_id))])
    conf = await ctx.call(ctx.service.configure_dm, ctx.user_id, **changes)
    if conf.enabled:
        when = formatting.cadence_text(conf.cadence, conf.weekdays, conf.week_day)
        text = f"📬 Saved. Your personal picks come by DM at {conf.time} ({conf.timezone}), {when}."
        if not await ctx.call(ctx.service.topics, Target.user(ctx.user_id)):
            text += "\nYou follow no topics yet: `/subscribe` to one (or 👍 papers) so it has something to pick."
    else:
        text = "✅ Saved. Your DM digest is off; `/settings dm: on` switches it on."
    return Reply(content=text, embeds=[dm_settings_embed(conf)])
