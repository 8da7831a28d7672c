"""/subscribe, /unsubscribe and /topics against the emulator: autocomplete, counts and bad input."""

from __future__ import annotations

import pytest
from botkit import answer, count, start_bot

from recommender.service import PaperService
from recommender.storage.models import Subscription
from recommender.views import Target

pytestmark = pytest.mark.e2e


async def test_subscribe_autocomplete_offers_own_popular_and_arxiv_topics(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    for user in (fd.admin, fd.owner):
        await answer(await fd.slash(user, "general", "subscribe", topic="speech recognition"))
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="graph neural networks"))

    offered = await fd.autocomplete(fd.member, "general", "subscribe", option="topic", value="")
    names = {c["value"]: c["name"] for c in offered}
    assert names["speech recognition"] == "speech recognition · followed by 2 members here"
    assert names["computation and language"] == "computation and language · arXiv cs.CL"
    assert names["graph neural networks"] == "graph neural networks · you follow it"
    assert len(offered) == 25 and all(1 <= len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in offered)

    typed = await fd.autocomplete(fd.member, "general", "subscribe", option="topic", value="language")
    assert typed[0] == {"name": "language", "value": "language"}  # what was typed comes first
    assert {"name": "computation and language · arXiv cs.CL", "value": "computation and language"} in typed

    reply = await answer(await fd.slash(fd.member, "general", "subscribe", topic="computation and language"))
    assert "Subscribed to **computation and language**" in reply.content


async def test_subscribe_a_10000_character_topic_and_nonsense_are_refused_clearly(discord_harness,
                                                                                 service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    with pytest.raises(ValueError, match="max_length=100"):  # Discord's client refuses before sending
        await fd.slash(fd.member, "general", "subscribe", topic="graph " * 2000)
    offered = await fd.autocomplete(fd.member, "general", "subscribe", option="topic", value="x" * 10_000)
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in offered)  # the emulator checks it too
    reply = await answer(await fd.slash(fd.member, "general", "subscribe", topic="qwzx vvbnm plorkt"))
    assert reply.content.startswith("⚠️") and "could never match a paper" in reply.content
    assert len(reply.content) <= 2000
    assert count(service, Subscription, Subscription.target_id == fd.member.id) == 0


async def test_unsubscribe_autocomplete_offers_only_own_topics_and_unknown_ones_are_explained(
    discord_harness, service: PaperService
) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    await answer(await fd.slash(fd.admin, "general", "subscribe", topic="graph transformers"))
    for topic in ("graph neural networks", "speech recognition"):
        await answer(await fd.slash(fd.member, "general", "subscribe", topic=topic))
    offered = await fd.autocomplete(fd.member, "general", "unsubscribe", option="topic", value="")
    assert [c["value"] for c in offered] == ["graph neural networks", "speech recognition"]
    assert await fd.autocomplete(fd.member, "general", "unsubscribe", option="topic", value="x" * 5000) == []
    reply = await answer(await fd.slash(fd.member, "general", "unsubscribe", topic="graph transformers"))
    assert "You don't follow `graph transformers`" in reply.content
    reply = await answer(await fd.slash(fd.member, "general", "unsubscribe", topic="SPEECH  recognition"))
    assert "Unsubscribed from **speech recognition**" in reply.content


async def test_subscribe_then_topics_counts_recent_matches(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    empty = await answer(await fd.slash(fd.member, "general", "topics"))
    assert "No topics yet" in empty.embeds[0]["description"]
    for topic in ("graph neural networks", "speech recognition"):
        await answer(await fd.slash(fd.member, "general", "subscribe", topic=topic))
    listing = await answer(await fd.slash(fd.member, "general", "topics"))
    lines = listing.embeds[0]["description"].splitlines()
    expected = dict(service.topic_matches(Target.user(fd.member.id, fd.guild.id)))
    assert lines == [f"• **{t}** — {n:,} papers" for t, n in expected.items()]
    assert all(n > 0 for n in expected.values()) and "last 30 days" in listing.embeds[0]["footer"]["text"]
