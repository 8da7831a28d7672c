"""/discuss and the digests: a paper of a recent digest is discussed beside it (the thread opens in the digest's
channel, its day thread links to it); members' messages in the thread are counted and "💬 N" shows on digest cards,
/recommend and /trending."""

from __future__ import annotations

import re

import pytest
from botkit import answer, start_bot
from digestkit import the_digest, thread_papers

from recommender.service import PaperService

pytestmark = pytest.mark.e2e


def thread_of(fd, content: str):  # type: ignore[no-untyped-def]
    found = re.search(r"Opened a thread on .*?: <#(\d+)>", content)
    assert found, content
    return fd.channel(int(found.group(1)))


async def counted(fd, service: PaperService, guild: int, paper: str, n: int) -> None:  # type: ignore[no-untyped-def]
    await fd.wait_until(lambda: service.discussion(guild, paper).messages == n or None, 10, f"{n} messages counted")


async def test_discuss_counts_messages_and_the_digest_shows_them(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    papers, general = fd.channel("papers"), fd.channel("general")
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="speech recognition"))
    await answer(await fd.slash(fd.admin, "general", "digest channel", channel=papers))
    preview = await answer(await fd.slash(fd.admin, "general", "digest preview"))
    early = [i for i in (preview.embeds[0]["description"] or "").split("`")[1::2] if "." in i][1]

    # Discussed before any digest carried it: the thread opens where /discuss was used.
    reply = await answer(await fd.slash(fd.member, "general", "discuss", paper=early))
    talk = thread_of(fd, reply.content)
    assert talk.parent_id == general.id and "digest" not in reply.content
    await fd.write(fd.member, talk, "Section 4 is the interesting part")
    await fd.write(fd.admin, talk, "Agreed, the ablation too")
    await counted(fd, service, fd.guild.id, early, 2)
    assert "Section 4" not in str(service.discussion(fd.guild.id, early)), "no message content is kept"

    assert "Posted today's digest" in (await answer(await fd.slash(fd.admin, "general", "digest now"))).content
    _, day_thread = the_digest(fd, papers)
    number = thread_papers(fd, day_thread).index(early) + 1
    card = next(e for m in fd.messages(day_thread) for e in m.embeds if e["title"].startswith(f"{number}. "))
    assert f"💬 2 in <#{talk.id}>" in card["description"]
    others = [e for m in fd.messages(day_thread) for e in m.embeds if e is not card]
    assert all("💬" not in e["description"] for e in others), "only the paper being discussed"

    # A paper of the digest: its thread opens beside the digest, whose day thread links to it.
    third = thread_papers(fd, day_thread)[2]
    reply = await answer(await fd.slash(fd.member, "general", "discuss", paper=third))
    beside = thread_of(fd, reply.content)
    assert beside.parent_id == papers.id, "threads can't nest: in the digest's channel"
    assert "It was #3 in the digest of" in reply.content and f"<#{day_thread.id}> links to it" in reply.content
    link = fd.messages(day_thread)[-1]
    assert link.content.startswith("💬 #3 “") and link.content.endswith(f"is being discussed: <#{beside.id}>")
    opening = fd.messages(beside)[0].embeds[0]
    assert any(f["name"] == "From the digest" and f"<#{day_thread.id}>" in f["value"] for f in opening["fields"])
    again = await answer(await fd.slash(fd.admin, "general", "discuss", paper=third))
    assert "being discussed already" in again.content and f"<#{beside.id}>" in again.content
    assert len([m for m in fd.messages(day_thread) if m.content.startswith("💬")]) == 1, "linked once"

    await fd.write(fd.member, day_thread, "nice digest today")  # the day thread is no discussion
    for n in range(3):
        await fd.write(fd.admin, beside, f"point {n}")
    await counted(fd, service, fd.guild.id, third, 3)
    assert service.discussion(fd.guild.id, early).messages == 2

    await answer(await fd.slash(fd.member, "general", "like", paper=third))
    trending = await answer(await fd.slash(fd.member, "general", "trending"))
    fields = {f["name"]: f["value"] for f in trending.embeds[0]["fields"]}
    assert f"`{third}` · 👍 1, 💬 3 in <#{beside.id}>" in fields["Liked and saved here"]
    lively = fields["💬 Being discussed here"].splitlines()
    assert lively[0].endswith(f"`{third}` · 💬 3 in <#{beside.id}>") and lively[1].endswith(f"💬 2 in <#{talk.id}>")

    picks = await answer(await fd.slash(fd.admin, "general", "recommend", topic="speech recognition", count=10))
    card = next(e for e in picks.embeds if e["url"].endswith(early))
    assert f"💬 2 in <#{talk.id}>" in card["description"]
    assert sum("💬" in e["description"] for e in picks.embeds) == sum(e["url"].endswith((early, third)) for e in picks.embeds)
