"""The five-paper start in Discord: offered under the first /subscribe, rated with the buttons,
then the member is told how their picks changed."""

from __future__ import annotations

import pytest
from botkit import answer, custom_ids, start_bot

from recommender.service import PaperService
from recommender.storage.models import Onboarding

pytestmark = pytest.mark.e2e


async def test_onboarding_five_papers_after_the_first_subscribe(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    reply = await answer(await fd.slash(fd.member, "general", "subscribe", topic="speech recognition"))
    assert "Rate these five" in reply.content
    assert [e["title"] for e in reply.embeds] == ["Your topics", "🚀 Your five-paper start"]
    likes = [i for i in custom_ids(reply) if i.startswith("pb:like:")]
    dismisses = [i for i in custom_ids(reply) if i.startswith("pb:dismiss:")]
    assert len(likes) == 5 and len(set(likes)) == 5

    for n, button in enumerate(likes[:4], start=1):
        rated = await answer(await fd.click(fd.member, reply, button))
        assert "Liked" in rated.content and f"{n} of 5 of your start rated" in rated.content
    last = await answer(await fd.click(fd.member, reply, dismisses[4]))
    assert "All five rated (4 liked or saved, 1 not for you)" in last.content
    assert "Your picks changed" in last.content or "stayed the same" in last.content
    again = await answer(await fd.click(fd.member, reply, likes[0]))
    assert "All five rated" not in again.content, "told once"

    second = await answer(await fd.slash(fd.member, "general", "subscribe", topic="graph neural networks"))
    assert "Rate these five" not in second.content and len(second.embeds) == 1, "only after the first topic"
    status = await answer(await fd.slash(fd.member, "general", "start"))
    assert "All five rated" in status.content and "5 of 5 rated" in status.embeds[0]["footer"]["text"]
    with service.db.session() as s:
        assert s.get(Onboarding, fd.member.id) is not None


async def test_onboarding_start_without_a_topic_says_what_to_do(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    reply = await answer(await fd.slash(fd.member, "general", "start"))
    assert "Follow a topic first" in reply.content
