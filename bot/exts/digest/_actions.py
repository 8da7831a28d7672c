"""Server digest settings, posting a digest now, and personal DM digests."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot import formatting
from bot.context import Invoker, Reply
from bot.exts.digest._delivery import deliver, digest_reply
from bot.registry import channel as text_channel
from bot.registry import command, group, number, text
from recommender.errors import PaperbotError
from recommender.views import LedgerEntry, Target

# Announced with the server id after its digest settings change; the cog resyncs the job.
SETTINGS_CHANGED = "digest_settings_changed"

group("digest", "The server's daily paper digest")
group("dm", "Your personal picks by DM")
TIME = text("HH:MM, 24-hour clock, e.g. 08:30", max_length=5)
TIMEZONE = text("IANA time zone, e.g. Europe/Berlin", max_length=64)


def _guild(ctx: Invoker) -> int:
    if ctx.guild_id is None:
        raise PaperbotError("Use this command in a server, not in DMs.")
    return ctx.guild_id


def _settings_reply(ctx: Invoker, text: str, conf) -> Reply:  # type: ignore[no-untyped-def]
    mention = ctx.publisher.mention(conf.channel_id) if ctx.publisher and conf.channel_id else "not set"
    return Reply(content=text, embeds=[formatting.settings_embed(conf, mention)])


@command("digest channel", "Post the daily digest in a channel (Manage Server).", admin=True,
         channel=text_channel("Channel that gets the daily digest"))
async def digest_channel(ctx: Invoker, channel: int) -> Reply:
    conf = await ctx.call(ctx.service.configure_digest, _guild(ctx), channel_id=channel, name=ctx.guild_name)
    ctx.dispatch(SETTINGS_CHANGED, conf.guild_id)
    where = ctx.publisher.mention(channel) if ctx.publisher else str(channel)
    return _settings_reply(ctx, f"📰 The daily digest will be posted in {where} at {conf.time} ({conf.timezone}).", conf)


@command("digest schedule", "When the daily digest is posted (Manage Server).", admin=True,
         time=TIME, timezone=TIMEZONE, weekdays=text("e.g. mon-fri, daily or mon,wed,fri", max_length=60),
         size=number("Papers per digest, 1-25", min_value=1, max_value=25))
async def digest_schedule(
    ctx: Invoker, time: str | None = None, timezone: str | None = None, weekdays: str | None = None, size: int | None = None
) -> Reply:
    conf = await ctx.call(
        ctx.service.configure_digest, _guild(ctx), time=time, timezone=timezone, weekdays=weekdays, size=size,
        name=ctx.guild_name,
    )
    ctx.dispatch(SETTINGS_CHANGED, conf.guild_id)
    return _settings_reply(ctx, "🕗 Digest schedule updated.", conf)


@command("digest status", "Show this server's digest settings (Manage Server).", admin=True)
async def digest_status(ctx: Invoker) -> Reply:
    conf = await ctx.call(ctx.service.digest_settings, _guild(ctx))
    if conf is None or conf.channel_id is None:
        return Reply(content="No digest channel yet. An admin can set one with `/digest channel`.")
    reply = _settings_reply(ctx, "Current digest settings:", conf)
    latest, failure = await ctx.call(ctx.service.digest_history, Target.channel(conf.channel_id, conf.guild_id))
    note = failure_note(latest, failure)
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
    return _settings_reply(ctx, "⏸️ Daily digest switched off. `/digest channel` switches it on again.", conf)


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
    embed.add_field(name=formatting.match_text(rec).capitalize(),
                    value=formatting.truncate(f"{verdict}\n{formatting.why_text(rec)}".strip(), 1024), inline=False)
    return Reply(embeds=[embed])


@command("digest now", "Post today's digest now (Manage Server).", admin=True)
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
    if outcome.status == "sent":
        return Reply(content=f"✅ Posted today's digest ({outcome.papers} papers) in {where}.")
    if outcome.status == "already":
        return Reply(content=f"ℹ️ Today's digest was already posted in {where}; nothing is posted twice.")
    return Reply.error(f"Could not post in {where}: {outcome.detail}")


@command("dm on", "Get your personal picks by DM every day.", time=TIME, timezone=TIMEZONE)
async def dm_on(ctx: Invoker, time: str | None = None, timezone: str | None = None) -> Reply:
    _, at, tz = await ctx.call(ctx.service.set_dm_digest, ctx.user_id, True, time, timezone)
    return Reply(content=f"📬 You'll get your personal picks by DM every day at {at} ({tz}). `/dm off` stops them.")


@command("dm off", "Stop your daily DM picks.")
async def dm_off(ctx: Invoker) -> Reply:
    await ctx.call(ctx.service.set_dm_digest, ctx.user_id, False)
    return Reply(content="📭 Daily DM picks switched off.")
