"""/stats and /help."""

from __future__ import annotations

from typing import Any

import discord

from bot import formatting
from bot.context import Invoker, Reply
from bot.registry import COMMANDS, GROUPS, CommandSpec, command
from recommender.errors import PaperbotError


@command("stats", "This server's figures: members, topics, digests (Manage Server).", admin=True)
async def stats(ctx: Invoker) -> Reply:
    if ctx.guild_id is None:
        raise PaperbotError("Use this command in a server: it shows that server's figures.")
    data = await ctx.call(ctx.service.guild_stats, ctx.guild_id)
    embed = discord.Embed(title=formatting.truncate(f"paperbot in {ctx.guild_name or 'this server'}", 256),
                          colour=formatting.COLOUR)
    embed.add_field(name="Members using paperbot", value=f"{data['members']:,}")
    embed.add_field(name="Members following topics", value=f"{data['members_following']:,}")
    embed.add_field(name="Topics followed", value=f"{data['topics']:,}")
    embed.add_field(name="Digest channel topics", value=f"{data['channel_topics']:,}")
    embed.add_field(name="Digests posted", value=f"{data['digests_sent']:,}")
    embed.add_field(name="Digests failed", value=f"{data['digests_failed']:,}")
    embed.add_field(name="Last digest", value=data["last_digest"] or "—")
    embed.add_field(name="Papers to pick from", value=f"{data['papers']:,}")
    embed.add_field(name="Newest paper", value=data["newest_paper"] or "—")
    embed.add_field(name="Last delivery failures", value=failures_text(data["failures"]), inline=False)
    embed.set_footer(text="Only this server's figures; `paperbot stats` on the host has the global ones.")
    return Reply(embeds=[embed])


def failures_text(failures: list[dict[str, Any]]) -> str:
    """The server's last failed digests, newest first: when, what, why, and whether a later try got it out."""
    if not failures:
        return "None"
    lines = []
    for f in failures:
        outcome = "sent on a later try" if f["status"] == "sent" else "not sent yet" if f["status"] != "failed" else "failed"
        if f["status"] == "failed" and f.get("next_retry_at"):
            outcome += f", next try {f['next_retry_at'][11:16]} UTC"
        what = "channel digest" if f["kind"] == "channel" else "DM digest"
        error = formatting.truncate(f["error"] or f["reason"] or "unknown error", 160)
        lines.append(f"{f['failed_at'].replace('T', ' ')} UTC · {what} of {f['day']} · {outcome} "
                     f"({f['attempts']} tries): {error}")
    return formatting.truncate("\n".join(lines), formatting.FIELD_VALUE_MAX)


def usage(spec: CommandSpec) -> str:
    """`/digest channel <channel>`, `/dm on [time] [timezone]`: required options in <>, optional in []."""
    return " ".join([f"/{spec.name}"] + [f"<{o.name}>" if o.required else f"[{o.name}]" for o in spec.options])


def help_sections() -> list[str]:
    """Every registered command under its feature's heading, from the same specs Discord gets."""
    areas: dict[str, list[CommandSpec]] = {}
    for spec in COMMANDS.values():
        areas.setdefault(spec.area, []).append(spec)
    sections = []
    for area, specs in areas.items():
        lines = [f"**{area.title()}**"]
        for group in dict.fromkeys(s.parent for s in specs):
            if group is not None:
                lines.append(f"*/{group}: {GROUPS[group].description}*")
            lines += [f"`{usage(s)}` — {s.description}" for s in specs if s.parent == group]
        sections.append("\n".join(lines))
    return sections


def help_embeds() -> list[discord.Embed]:
    """The sections packed into as few embeds as their descriptions allow (4,096 characters each)."""
    parts: list[str] = []
    for section in help_sections():
        section = formatting.truncate(section, formatting.DESCRIPTION_MAX)
        if parts and len(parts[-1]) + 2 + len(section) <= formatting.DESCRIPTION_MAX:
            parts[-1] += "\n\n" + section
        else:
            parts.append(section)
    embeds = [discord.Embed(colour=formatting.COLOUR, description=part) for part in parts]
    embeds[0].title = "paperbot commands"
    embeds[-1].set_footer(text="<option> is required, [option] optional.")
    return embeds


@command("help", "What paperbot can do.")
async def help_(ctx: Invoker) -> Reply:
    return Reply(embeds=help_embeds())
