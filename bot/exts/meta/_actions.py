"""/stats and /help."""

from __future__ import annotations

import discord

from bot import formatting
from bot.context import Invoker, Reply
from bot.registry import COMMANDS, GROUPS, CommandSpec, command


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


def usage(spec: CommandSpec) -> str:
    """`/digest channel <channel>`, `/dm on [time] [timezone]`: required options in <>, optional in []."""
    return " ".join([f"/{spec.name}"] + [f"<{o.name}>" if o.required else f"[{o.name}]" for o in spec.options])


def help_text() -> str:
    """Every registered command under its feature's heading, from the same specs Discord gets."""
    areas: dict[str, list[CommandSpec]] = {}
    for spec in COMMANDS.values():
        areas.setdefault(spec.area, []).append(spec)
    sections = []
    for area, specs in areas.items():
        lines = [f"**{area.title()}**"]
        for group in dict.fromkeys(s.group for s in specs):
            if group is not None:
                lines.append(f"*/{group}: {GROUPS[group].description}*")
            lines += [f"`{usage(s)}` — {s.description}" for s in specs if s.group == group]
        sections.append("\n".join(lines))
    return "\n\n".join(sections)


@command("help", "What paperbot can do.")
async def help_(ctx: Invoker) -> Reply:
    embed = discord.Embed(title="paperbot commands", colour=formatting.COLOUR,
                          description=formatting.truncate(help_text(), formatting.DESCRIPTION_MAX))
    embed.set_footer(text="<option> is required, [option] optional.")
    return Reply(embeds=[embed])
