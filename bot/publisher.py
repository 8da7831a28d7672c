"""Deliver replies to Discord channels and DMs, turning failures into clear reasons."""

from __future__ import annotations

import discord

from bot.context import DeliveryFailed, Reply

NEEDED = "View Channel, Send Messages and Embed Links"


class DiscordPublisher:
    def __init__(self, client: discord.Client) -> None:
        self.client = client

    def mention(self, channel_id: int) -> str:
        return f"<#{channel_id}>"

    async def _channel(self, channel_id: int) -> discord.abc.Messageable:
        channel = self.client.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.client.fetch_channel(channel_id)
            except discord.NotFound:
                raise DeliveryFailed(f"channel {channel_id} no longer exists; set a new one with `/digest channel`") from None
            except discord.Forbidden:
                raise DeliveryFailed(f"I can't see channel <#{channel_id}>; give me {NEEDED} there") from None
        if not isinstance(channel, discord.abc.Messageable):
            raise DeliveryFailed(f"<#{channel_id}> is not a text channel")
        return channel

    async def _send(self, target: discord.abc.Messageable, reply: Reply, where: str) -> int:
        try:
            message = await target.send(**reply.send_kwargs())
        except discord.Forbidden:
            raise DeliveryFailed(f"I'm not allowed to post in {where}; give me {NEEDED} there") from None
        except discord.HTTPException as exc:
            raise DeliveryFailed(f"Discord refused the message for {where}: {exc.text or exc.status}") from None
        return message.id

    async def to_channel(self, channel_id: int, reply: Reply) -> int | None:
        channel = await self._channel(channel_id)
        return await self._send(channel, reply, f"<#{channel_id}>")

    async def to_user(self, user_id: int, reply: Reply) -> int | None:
        try:
            user = self.client.get_user(user_id) or await self.client.fetch_user(user_id)
            dm = await user.create_dm()
        except discord.HTTPException as exc:
            raise DeliveryFailed(f"cannot open a DM with user {user_id}: {exc.text or exc.status}") from None
        return await self._send(dm, reply, "your DMs (they may be closed)")
