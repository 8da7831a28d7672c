"""Followed authors in Discord: autocomplete over the library's authors, their new papers pinned
and marked at the top of /recommend and of the DM digest."""

from __future__ import annotations

import pytest
from botkit import answer, digest_jobs, start_bot, text_of
from sqlalchemy import func, select

from recommender.members.authors import parse
from recommender.service import PaperService
from recommender.storage.models import Paper

pytestmark = pytest.mark.e2e


def newest_unique_author(service: PaperService) -> tuple[str, str]:
    """(paper id, author) of a paper from the library's newest day whose author the library knows as one person."""
    directory = service.author_directory()
    with service.db.session() as s:
        newest = s.scalar(select(func.max(Paper.published)))
        rows = s.execute(select(Paper.id, Paper.authors).where(Paper.published == newest).order_by(Paper.id)).all()
    for pid, authors in rows:
        for written in authors:
            if len(directory.matching(parse(written))) == 1 and len(written) > 8:
                return pid, written
    raise AssertionError("no paper with an unambiguous author on the newest day")


async def test_follow_author_autocompletes_and_pins_their_papers(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    bot = await start_bot(discord_harness, service)
    choices = await fd.autocomplete(fd.member, "general", "follow", option="author", value="wałęga")
    assert [c["value"] for c in choices] == ["Przemysław Andrzej Wałęga"]
    assert choices[0]["name"].startswith("Przemysław Andrzej Wałęga · 1 paper") and len(choices[0]["name"]) <= 100
    assert len(await fd.autocomplete(fd.member, "general", "follow", option="author", value="wang")) == 25

    await answer(await fd.slash(fd.member, "general", "subscribe", topic="speech recognition"))
    reply = await answer(await fd.slash(fd.member, "general", "follow", author="Wałęga, P. A."))
    assert "Following **Przemysław Andrzej Wałęga**" in reply.content and "1 paper in the library" in reply.content

    picks = await answer(await fd.slash(fd.member, "general", "recommend"))
    first = picks.embeds[0]
    assert "Structural Preservation" in first["title"], "the followed author's paper is pinned first"
    assert "✍ followed author: Przemysław Andrzej Wałęga" in first["fields"][0]["value"]
    assert all("speech" in text_of_embed(e).lower() or "asr" in text_of_embed(e).lower() for e in picks.embeds[1:])

    pid, author = newest_unique_author(service)  # the DM digest looks at the last days only
    await answer(await fd.slash(fd.member, "general", "follow", author=author))
    await answer(await fd.slash(fd.member, "general", "dm on", time="00:00", timezone="UTC"))
    assert await digest_jobs(bot).run_dm_sweep() == 1
    dm = await fd.wait_for_message(fd.dm_channel(fd.member), timeout=10)
    body = dm.embeds[0]["description"]
    assert body.startswith("**1. ") and pid in body.split("\n\n")[0] and "✍ followed author" in body

    reply = await answer(await fd.slash(fd.member, "general", "unfollow", author="walega"))
    assert "No longer following **Przemysław Andrzej Wałęga**" in reply.content
    listed = await answer(await fd.slash(fd.member, "general", "authors list"))
    assert "Wałęga" not in text_of(listed) and author.split()[-1] in text_of(listed)


async def test_follow_an_ambiguous_name_lists_the_people_with_their_categories(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    reply = await answer(await fd.slash(fd.member, "general", "follow", author="W. Wang"))
    assert "Several authors in the library fit `W. Wang`" in reply.content
    assert "Wei Wang · " in reply.content and "cs." in reply.content
    assert "You follow no authors yet" in text_of(await answer(await fd.slash(fd.member, "general", "authors list")))


def text_of_embed(embed: dict) -> str:
    return f"{embed.get('title', '')} {embed.get('description', '')}"
