"""The emulator's own rules for digests: threads (creation, posting, permissions), Embed Links, the
rate limit per route, and channel changes announced on the gateway. Driven by the toy bot."""

from __future__ import annotations

import asyncio

import aiohttp
import discord
import pytest
from fakediscord.channels import delete_channel, deny_bot, set_overwrite, thread_on
from fakediscord.pytest_plugin import BotHarness
from fakediscord.world import CREATE_PUBLIC_THREADS, EMBED_LINKS, SEND_MESSAGES_IN_THREADS
from test_fakediscord import start_toy

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio]


async def test_threads_need_their_permissions_and_one_per_message(discord_harness: BotHarness) -> None:
    fd = discord_harness.fd
    bot = await start_toy(discord_harness)
    papers = fd.channel("papers")
    channel = bot.get_channel(papers.id)
    assert isinstance(channel, discord.TextChannel)
    header = await channel.send("today's papers")
    with pytest.raises(discord.HTTPException) as err:
        await header.create_thread(name="x", auto_archive_duration=30)  # type: ignore[arg-type]
    assert err.value.status == 400 and err.value.code == 50035
    thread = await header.create_thread(name="Papers", auto_archive_duration=1440)
    assert thread.id == header.id and thread_on(fd, header.id) is fd.channel(thread.id)
    assert bot.get_channel(thread.id) is not None, "THREAD_CREATE reached discord.py"
    with pytest.raises(discord.HTTPException) as err:
        await header.create_thread(name="again")
    assert err.value.code == 160004, "one thread per message"

    await deny_bot(fd, papers, SEND_MESSAGES_IN_THREADS)
    await fd.wait_until(lambda: not channel.permissions_for(channel.guild.me).send_messages_in_threads or None, 5,
                        "CHANNEL_UPDATE to reach discord.py")
    with pytest.raises(discord.Forbidden):
        await thread.send("in the thread")
    await channel.send("in the channel still works")
    await deny_bot(fd, papers, CREATE_PUBLIC_THREADS)
    other = await channel.send("another day")
    with pytest.raises(discord.Forbidden):
        await other.create_thread(name="Papers")
    await set_overwrite(fd, papers, fd.bot_user)
    await thread.send("allowed again")
    assert [m.content for m in fd.messages(thread.id)] == ["allowed again"]


async def test_embeds_need_embed_links(discord_harness: BotHarness) -> None:
    fd = discord_harness.fd
    bot = await start_toy(discord_harness)
    papers = fd.channel("papers")
    channel = bot.get_channel(papers.id)
    assert isinstance(channel, discord.TextChannel)
    plain = await channel.send("text")
    await deny_bot(fd, papers, EMBED_LINKS)
    with pytest.raises(discord.Forbidden) as err:
        await channel.send(embed=discord.Embed(title="a paper"))
    assert err.value.code == 50013
    with pytest.raises(discord.Forbidden):
        await plain.edit(embed=discord.Embed(title="a paper"))
    await channel.send("text is fine")
    user = await bot.fetch_user(fd.member.id)
    await user.send(embed=discord.Embed(title="DMs allow embeds"))


async def test_rate_limit_per_route_headers_and_429(discord_harness: BotHarness) -> None:
    fd = discord_harness.fd
    fd.rate_limits.limit, fd.rate_limits.window = 2, 0.5
    bot = await start_toy(discord_harness)
    papers, general = bot.get_channel(fd.channel("papers").id), bot.get_channel(fd.channel("general").id)
    assert isinstance(papers, discord.TextChannel) and isinstance(general, discord.TextChannel)
    for n in range(3):  # discord.py reads the headers and waits for the window before the third
        await papers.send(f"paced {n}")
    paced = fd.calls("POST", f"/channels/{papers.id}/messages")
    assert [c.status for c in paced] == [200] * 3 and paced[2].t - paced[0].t >= 0.45
    await general.send("another channel, its own bucket")
    assert fd.calls("POST", f"/channels/{general.id}/messages")[0].t - paced[2].t < 0.45

    # A client that ignores the headers gets a 429 with retry_after, Discord-shaped, until the window ends.
    await asyncio.sleep(0.5)
    url = f"https://discord.com/api/v10/channels/{general.id}/messages"
    auth = {"Authorization": f"Bot {fd.token}"}
    async with aiohttp.ClientSession(connector=fd.connector()) as session:
        answers = []
        for n in range(3):
            async with session.post(url, json={"content": f"raw {n}"}, headers=auth) as response:
                answers.append((response.status, dict(response.headers), await response.json()))
        assert [a[0] for a in answers] == [200, 200, 429]
        assert answers[0][1]["X-RateLimit-Remaining"] == "1" and answers[1][1]["X-RateLimit-Remaining"] == "0"
        assert answers[0][1]["X-RateLimit-Bucket"] == answers[1][1]["X-RateLimit-Bucket"]
        status, headers, body = answers[2]
        assert body["retry_after"] > 0 and body["global"] is False and headers["Via"] and headers["Retry-After"]
        await asyncio.sleep(body["retry_after"])
        async with session.post(url, json={"content": "after the wait"}, headers=auth) as response:
            assert response.status == 200
    assert fd.rate_limits.limited == ["POST /channels/{channel_id}/messages"]


async def test_deleted_channel_is_gone_for_the_bot(discord_harness: BotHarness) -> None:
    fd = discord_harness.fd
    bot = await start_toy(discord_harness)
    papers = fd.channel("papers")
    await delete_channel(fd, papers)
    await fd.wait_until(lambda: bot.get_channel(papers.id) is None or None, 5, "CHANNEL_DELETE to reach discord.py")
    with pytest.raises(discord.NotFound) as err:
        await bot.fetch_channel(papers.id)
    assert err.value.code == 10003
