"""/trending [days]: what the server liked and saved most, and Hugging Face's most upvoted papers."""

from __future__ import annotations

import io
from datetime import date

import pytest
from botkit import answer, custom_ids, start_bot, uploaded
from fakediscord import CommandNotVisible
from PIL import Image

from recommender.service import PaperService
from recommender.storage.models import PaperSource

pytestmark = pytest.mark.e2e


async def test_trending_shows_the_servers_likes_and_upvotes(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    reply = await answer(await fd.slash(fd.member, "general", "trending"))
    assert "Nothing liked or saved yet" in reply.embeds[0]["fields"][0]["value"]

    await answer(await fd.slash(fd.member, "general", "subscribe", topic="speech recognition"))
    picks = await answer(await fd.slash(fd.member, "general", "recommend"))
    like = next(c for c in custom_ids(picks) if c.startswith("pb:like:"))
    await answer(await fd.click(fd.member, picks, like))
    liked = like.split(":")[-1]
    await answer(await fd.slash(fd.admin, "general", "save", paper=liked))
    with service.db.session() as s:
        s.add(PaperSource(paper_id=liked, source="hf", external_id=liked, upvotes=321, listed_on=date(2026, 6, 12)))

    reply = await answer(await fd.slash(fd.member, "general", "trending", days=3))
    embed = reply.embeds[0]
    assert embed["title"] == "Trending in Paper Lab, the last 3 days"
    members, upvoted = embed["fields"][0]["value"], embed["fields"][1]["value"]
    assert members.startswith("1. [") and f"`{liked}` · 👍 1, 💾 1" in members
    assert f"https://huggingface.co/papers/{liked}" in upvoted and "▲ 321" in upvoted


async def test_trending_days_out_of_range_and_in_dms(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    for days in (0, 91, -5, 10**15):
        with pytest.raises(ValueError):  # the client enforces 1-90
            await fd.slash(fd.member, "general", "trending", days=days)
    assert "trending" not in fd.visible_commands(fd.member, fd.dm_channel(fd.member))  # about a server: not in DMs
    with pytest.raises(CommandNotVisible, match="not available in DMs"):
        await fd.slash(fd.member, fd.dm_channel(fd.member), "trending")
    assert "trending" in fd.visible_commands(fd.member, "general")


async def test_trending_chart_of_the_servers_weeks_attached(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    handle = await fd.slash(fd.member, "general", "trending")
    empty = await answer(handle)
    assert not uploaded(fd, handle) and not empty.data["attachments"] and "image" not in empty.embeds[0]

    await answer(await fd.slash(fd.member, "general", "subscribe", topic="speech recognition"))
    ids = [r.paper.id for r in service.search("speech recognition", limit=2)]
    service.member_seen(fd.admin.id, fd.guild.id)
    for user, pid, kind in ((fd.member.id, ids[0], "like"), (fd.admin.id, ids[0], "save"), (fd.admin.id, ids[1], "like")):
        service.feedback(user, pid, kind)

    handle = await fd.slash(fd.member, "general", "trending", days=30)
    reply = await answer(handle)
    (chart,) = uploaded(fd, handle)
    assert chart.filename == "activity.png" and [a["filename"] for a in reply.data["attachments"]] == ["activity.png"]
    assert reply.embeds[0]["image"]["url"] == "attachment://activity.png"  # shown inside the embed
    image = Image.open(io.BytesIO(chart.data))
    assert image.format == "PNG" and image.size == (800, 400) and len(chart.data) < 200_000
    image.load()
    data = service.activity(fd.guild.id, 5)  # 30 days: 5 weeks
    assert [(s.label, s.total) for s in data.series] == [("speech recognition", 3)] and data.members == 2
