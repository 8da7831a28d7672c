"""Buttons nothing handles any more (older versions) get a polite ephemeral answer, never a failed interaction."""

from __future__ import annotations

import discord
import pytest
from botkit import EPHEMERAL, IMMEDIATE, answer, start_bot

from bot.ui.stale import OUTDATED
from recommender.service import PaperService

pytestmark = pytest.mark.e2e


async def post_with_buttons(bot: discord.Client, channel_id: int, *custom_ids: str) -> int:
    """A message whose buttons no handler claims: its view is stopped, as after an upgrade."""
    view = discord.ui.View(timeout=None)
    for custom_id in custom_ids:
        view.add_item(discord.ui.Button(label=custom_id[:80], custom_id=custom_id))
    message = await bot.get_channel(channel_id).send("Old picks", view=view)  # type: ignore[union-attr]
    view.stop()  # no longer in discord.py's view store: exactly like a message from an older version
    return message.id


@pytest.mark.parametrize("custom_id", ["pb:bookmark:2401.00001", "paperbot-like-2401.00001", "pb:like:" + "9" * 80])
async def test_button_from_an_older_version_gets_a_polite_answer(discord_harness, service: PaperService,
                                                                 custom_id: str) -> None:
    fd = discord_harness.fd
    bot = await start_bot(discord_harness, service)
    message_id = await post_with_buttons(bot, fd.channel("general").id, custom_id)
    click = await fd.click(fd.member, message_id, custom_id)
    body = await click.response()
    assert body["type"] == IMMEDIATE and body["data"]["flags"] & EPHEMERAL
    assert body["data"]["content"] == OUTDATED and click.latency < 3


async def test_button_known_ones_are_answered_once(discord_harness, service: PaperService) -> None:
    """A live feedback button is handled by its DynamicItem only (the emulator fails a double ack)."""
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="speech recognition"))
    picks = await answer(await fd.slash(fd.member, "general", "recommend"))
    like = next(i for i in picks.custom_ids if i.startswith("pb:like:"))
    reply = await answer(await fd.click(fd.member, picks, like))
    assert "Liked" in reply.content and OUTDATED not in reply.content
