"""/digest (server digest settings and topics), /dm and /settings (personal picks by DM), plus their jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from bot.context import Reply
from bot.exts.digest import _actions  # noqa: F401  (registers the actions)
from bot.exts.digest._scheduler import DigestJobs
from bot.publisher import NEEDED
from bot.slash import slash, slash_group

if TYPE_CHECKING:
    from bot.bot import PaperBot


def missing_permissions(channel: discord.abc.GuildChannel) -> bool:
    perms = channel.permissions_for(channel.guild.me)
    return not (perms.view_channel and perms.send_messages and perms.embed_links)


def can_post_there(interaction: discord.Interaction, options: dict[str, Any]) -> Reply | None:
    """Refuse a digest channel the bot cannot post in, before anything is saved."""
    channel: discord.TextChannel = options["channel"]
    if missing_permissions(channel):
        return Reply.error(f"I can't post in {channel.mention}: give me {NEEDED} there first.")
    return None


class Digest(commands.Cog):
    digest = slash_group("digest")  # admin commands only: hidden from members, not in DMs (bot/slash.py)
    dm = slash_group("dm")
    digest_topics = slash_group("digest topics", parent=digest)
    digest_mute = slash_group("digest mute", parent=digest)

    channel = slash("digest channel", parent=digest, guard=can_post_there)
    schedule = slash("digest schedule", parent=digest)
    status = slash("digest status", parent=digest)
    preview = slash("digest preview", parent=digest)
    why = slash("digest why", parent=digest)
    now = slash("digest now", parent=digest)
    off = slash("digest off", parent=digest)
    topics_add = slash("digest topics add", parent=digest_topics)
    topics_remove = slash("digest topics remove", parent=digest_topics)
    topics_list = slash("digest topics list", parent=digest_topics)
    mute_keyword = slash("digest mute keyword", parent=digest_mute)
    mute_category = slash("digest mute category", parent=digest_mute)
    mute_author = slash("digest mute author", parent=digest_mute)
    unmute = slash("digest unmute", parent=digest)
    settings = slash("settings")
    dm_on = slash("dm on", parent=dm)
    dm_off = slash("dm off", parent=dm)

    def __init__(self, bot: PaperBot) -> None:
        self.jobs = DigestJobs(bot.scheduler, bot.service, bot.publisher, lambda g: getattr(bot.get_guild(g), "name", ""),
                               bot.shard_plan)

    async def cog_load(self) -> None:
        await self.jobs.sync_all()

    async def cog_unload(self) -> None:
        self.jobs.unschedule()

    @commands.Cog.listener()
    async def on_digest_settings_changed(self, guild_id: int) -> None:
        await self.jobs.resync_guild(guild_id)
