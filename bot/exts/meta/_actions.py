"""/stats and /help."""

from __future__ import annotations

import discord

from bot import formatting
from bot.context import Invoker, Reply
from bot.registry import COMMANDS, command


@command("stats", "How many papers, members and topics paperbot knows.")
async def stats(ctx: Invoker) -> Reply:
    data = await ctx.call(ctx.service.stats)
    embed = discord.Embed(title="paperbot stats", colour=formatting.COLOUR)
    embed.add_field(name="Papers", value=f"{data['papers']:,}")
    embed.add_field(name="Members", value=f"{data['users']:,}")
    embed.add_field(name="Topics followed", value=f"{data['subscriptions']:,}")
    embed.add_field(name="Newest paper", value=data["newest_paper"] or "—")
    embed.add_field(name="Digests sent", value=f"{data['digests_sent']:,}")
    runs = data["ingest_runs"][:3]
    if runs:
        lines = [
            f"{r['started_at'][:16]} {r['source']}: {r['status']} (+{r['new']} new, {r['updated']} updated)"
            + (f" — {r['empty_reason']}" if r["empty_reason"] else "")
            for r in runs
        ]
        embed.add_field(name="Last ingestion runs", value=formatting.truncate("\n".join(lines), 1024), inline=False)
    return Reply(embeds=[embed])


@command("help", "What paperbot can do.")
async def help_(ctx: Invoker) -> Reply:
    lines = [f"`/{spec.name}` — {spec.description}" for spec in COMMANDS.values()]
    embed = discord.Embed(title="paperbot commands", description=formatting.truncate("\n".join(lines), 4096),
                          colour=formatting.COLOUR)
    return Reply(embeds=[embed])
