"""A full restart (new client, new service, same database): every control shown before it still works."""

from __future__ import annotations

import pytest
from botkit import answer, custom_ids, redrawn, restart, start_bot
from sqlalchemy import select

from recommender.service import PaperService
from recommender.storage.models import Feedback, ReadingListEntry
from tests.conftest import backend  # noqa: F401  (both backends here, unlike the rest of tests/e2e: what survives is stored)

pytestmark = pytest.mark.e2e


async def test_restart_every_button_shown_before_it_still_works(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    bot = await start_bot(discord_harness, service)
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="speech recognition"))
    shown = await answer(await fd.slash(fd.member, "general", "recommend"))
    menus = await answer(await fd.slash(fd.member, "general", "recommend", count=8, days=30))
    ids = [e["url"].rsplit("/", 1)[1] for e in shown.embeds]
    for rec in service.search("graph neural networks", 12):  # two pages of reading list
        service.feedback(fd.member.id, rec.paper.id, "save")
    library = await answer(await fd.slash(fd.member, "general", "library"))
    ask = await answer(await fd.slash(fd.member, "general", "profile reset"))

    bot = await restart(discord_harness, bot)
    assert bot.service is not service

    reply = await answer(await fd.click(fd.member, shown, f"pb:like:{ids[0]}"))
    assert reply.content.startswith("👍 Liked")
    reply = await answer(await fd.click(fd.member, shown, f"pb:dismiss:{ids[1]}"))
    assert reply.content.startswith("👎 Not interested")
    reply = await answer(await fd.click(fd.member, shown, f"pb:save:{ids[2]}"))
    assert reply.content.startswith("💾 Saved")
    more = await answer(await fd.click(fd.member, shown, f"pb:more:{ids[3]}"))
    assert more.content.startswith("🧭 More like") and more.embeds
    reply = await answer(await fd.select(fd.member, menus, "pb:pick:like", [menus.embeds[5]["url"].rsplit("/", 1)[1]]))
    assert reply.content.startswith("👍 Liked")
    with service.db.session() as s:
        kinds = dict(s.execute(select(Feedback.paper_id, Feedback.kind).where(
            Feedback.user_id == fd.member.id, Feedback.paper_id.in_(ids[:3]))).all())
    assert kinds == {ids[0]: "like", ids[1]: "dismiss", ids[2]: "save"}

    page2 = await redrawn(fd, fd.member, library, "pb:lib:page:2")
    assert "Page 2 of" in page2.embeds[0]["footer"]["text"]
    first = page2.find_component("pb:lib:read:2")["options"][0]["value"]
    marked = await redrawn(fd, fd.member, library, "pb:lib:read:2", [first])
    assert "✅ Marked read" in marked.content
    with service.db.session() as s:
        assert s.scalar(select(ReadingListEntry.read_at).where(
            ReadingListEntry.user_id == fd.member.id, ReadingListEntry.paper_id == first)) is not None

    cancelled = await redrawn(fd, fd.member, ask, f"pb:reset:no:{fd.member.id}")
    assert cancelled.content == "Nothing was reset."

    # Commands and autocomplete work on the restarted bot too.
    offered = await fd.autocomplete(fd.member, "general", "why", option="paper", value="")
    assert ids[2] in [c["value"] for c in offered]
    assert custom_ids(await answer(await fd.slash(fd.member, "general", "recommend")))
    bot.service.close()
