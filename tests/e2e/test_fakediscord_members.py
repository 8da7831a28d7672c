"""The emulator's members writing messages (fakediscord/members.py): MESSAGE_CREATE to a plain discord.py
client in channels and threads, content only with the MESSAGE_CONTENT intent or a mention, permissions enforced."""

from __future__ import annotations

import asyncio

import discord
import pytest
from fakediscord import CannotWrite
from fakediscord.channels import deny_bot, set_overwrite
from fakediscord.pytest_plugin import BotHarness
from fakediscord.world import SEND_MESSAGES, SEND_MESSAGES_IN_THREADS, VIEW_CHANNEL

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio]


def client(content: bool = False) -> discord.Client:
    intents = discord.Intents.default()
    intents.message_content = content
    return discord.Client(intents=intents, guild_ready_timeout=0.1)


async def heard(bot: discord.Client, write) -> discord.Message:  # type: ignore[no-untyped-def]
    seen = asyncio.create_task(bot.wait_for("message", check=lambda m: not m.author.bot, timeout=5))
    await asyncio.sleep(0)
    await write
    return await seen


async def test_a_member_writes_in_a_channel_and_a_thread(discord_harness: BotHarness) -> None:
    fd = discord_harness.fd
    bot = await discord_harness.start(client())
    general = bot.get_channel(fd.channel("general").id)
    assert isinstance(general, discord.TextChannel)
    thread = await (await general.send("a paper")).create_thread(name="reading group")

    message = await heard(bot, fd.write(fd.member, thread.id, "I liked section 3"))
    assert isinstance(message.channel, discord.Thread) and message.channel.id == thread.id
    assert message.author.id == fd.member.id and message.guild is not None
    assert message.content == "", "no MESSAGE_CONTENT intent: Discord blanks what members write"
    assert fd.messages(thread.id)[-1].content == "I liked section 3"
    assert fd.channel(thread.id).message_count == 1

    mention = await heard(bot, fd.write(fd.member, "general", f"<@{fd.bot_user.id}> what's new?"))
    assert mention.content.endswith("what's new?"), "a message that mentions the bot keeps its content"


async def test_the_message_content_intent_and_permissions(discord_harness: BotHarness) -> None:
    fd = discord_harness.fd
    bot = await discord_harness.start(client(content=True))
    message = await heard(bot, fd.write(fd.member, "general", "hello"))
    assert message.content == "hello"
    with pytest.raises(ValueError):
        await fd.write(fd.member, "general", "x" * 2001)
    await set_overwrite(fd, "general", fd.member, deny=SEND_MESSAGES_IN_THREADS | SEND_MESSAGES)
    with pytest.raises(CannotWrite, match="may not write"):
        await fd.write(fd.member, "general", "hello again")
    await deny_bot(fd, "papers", VIEW_CHANNEL)  # the bot can't see #papers: a member still writes there, unheard
    await set_overwrite(fd, "general", fd.member)
    seen = asyncio.create_task(bot.wait_for("message", check=lambda m: not m.author.bot, timeout=5))
    await asyncio.sleep(0)
    await fd.write(fd.member, "papers", "unseen by the bot")
    await fd.write(fd.member, "general", "seen")
    assert (await seen).content == "seen"
    assert fd.messages("papers")[-1].content == "unseen by the bot"
