"""Glue between discord.py interactions and the registered command actions."""

from __future__ import annotations

from typing import Any, Protocol, cast

import discord

from bot.context import Invoker, Publisher, Reply
from bot.registry import invoke
from recommender.service import PaperService


class PaperClient(Protocol):
    """What an interaction needs from the client (PaperBot has it; no feature is involved)."""

    service: PaperService
    publisher: Publisher

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None: ...


def invoker_from(interaction: discord.Interaction) -> Invoker:
    client = cast(PaperClient, interaction.client)
    guild = interaction.guild
    perms = interaction.permissions
    return Invoker(
        service=client.service,
        user_id=interaction.user.id,
        guild_id=interaction.guild_id,
        channel_id=interaction.channel_id,
        can_manage_guild=bool(guild is not None and (perms.manage_guild or perms.administrator)),
        guild_name=guild.name if guild else "",
        publisher=client.publisher,
        dispatch=client.dispatch,
    )


async def send_reply(interaction: discord.Interaction, reply: Reply) -> None:
    kwargs: dict[str, Any] = reply.send_kwargs()
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=reply.ephemeral, **kwargs)
    else:
        await interaction.response.send_message(ephemeral=reply.ephemeral, **kwargs)


async def respond(interaction: discord.Interaction, name: str, *, ephemeral: bool = True, **options: Any) -> None:
    """Acknowledge at once (defer), run the action off the event loop, then send its reply."""
    await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    reply = await invoke(invoker_from(interaction), name, **options)
    await send_reply(interaction, reply)
