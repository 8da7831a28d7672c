"""Every paper's buttons (👍 👎 💾 🔎), the select menus under many picks, /profile and its confirmation,
and 50 interactions at once, against the emulator."""

from __future__ import annotations

import asyncio

import pytest
from botkit import answer, count, custom_ids, redrawn, start_bot
from fakediscord.channels import thread_on
from sqlalchemy import select

from bot.exts.profile._views import NOT_YOURS
from recommender.service import PaperService
from recommender.storage.models import Feedback, ReadingListEntry, Subscription

pytestmark = pytest.mark.e2e


def kinds(service: PaperService, user_id: int) -> set[tuple[str, str]]:
    with service.db.session() as s:
        return {(pid, kind) for pid, kind in s.execute(select(Feedback.paper_id, Feedback.kind).where(Feedback.user_id == user_id))}


async def picks(fd, topic: str = "speech recognition", **options):  # type: ignore[no-untyped-def]
    await answer(await fd.slash(fd.member, "general", "subscribe", topic=topic))
    return await answer(await fd.slash(fd.member, "general", "recommend", **options))


async def test_button_like_not_interested_save_and_more_like_this(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    shown = await picks(fd)
    first, second, third, fourth = (i.split(":", 2)[2] for i in custom_ids(shown)[::4][:4])

    reply = await answer(await fd.click(fd.member, shown, f"pb:like:{first}"))
    assert reply.content.startswith("👍 Liked") and first in reply.content
    reply = await answer(await fd.click(fd.member, shown, f"pb:dismiss:{second}"))
    assert reply.content.startswith("👎 Not interested") and second in reply.content
    reply = await answer(await fd.click(fd.member, shown, f"pb:save:{third}"))
    assert reply.content.startswith("💾 Saved") and "/library" in reply.content
    assert kinds(service, fd.member.id) == {(first, "like"), (second, "dismiss"), (third, "save")}
    reply = await answer(await fd.click(fd.member, shown, f"pb:save:{third}"))
    assert reply.content.startswith("💾 Already saved")  # nothing twice

    more = await answer(await fd.click(fd.member, shown, f"pb:more:{fourth}"))
    assert more.content.startswith("🧭 More like") and f"`{fourth}`" in more.content
    assert len(more.embeds) == 5 and fourth not in " ".join(e["url"] for e in more.embeds)
    assert custom_ids(more)[:4] == [f"pb:{k}:{more.embeds[0]['url'].rsplit('/', 1)[1]}"
                                    for k in ("like", "dismiss", "save", "more")]  # buttons under those too
    again = await answer(await fd.slash(fd.member, "general", "recommend"))
    assert not {first, second, third} & {e["url"].rsplit("/", 1)[1] for e in again.embeds}  # the profile learned


async def test_button_select_menus_under_many_picks(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    shown = await picks(fd, count=8)
    ids = [e["url"].rsplit("/", 1)[1] for e in shown.embeds]
    reply = await answer(await fd.select(fd.member, shown, "pb:pick:like", ids[:2]))
    assert reply.content.count("👍 Liked") == 2
    reply = await answer(await fd.select(fd.member, shown, "pb:pick:dismiss", [ids[2]]))
    assert reply.content.startswith("👎")
    more = await answer(await fd.select(fd.member, shown, "pb:pick:more", [ids[3]]))
    assert more.content.startswith("🧭 More like") and len(more.embeds) == 5
    assert kinds(service, fd.member.id) == {(ids[0], "like"), (ids[1], "like"), (ids[2], "dismiss")}


async def test_profile_show_counts_and_terms(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    shown = await picks(fd)
    ids = [e["url"].rsplit("/", 1)[1] for e in shown.embeds]
    for kind, pid in (("like", ids[0]), ("like", ids[1]), ("save", ids[2]), ("dismiss", ids[3])):
        await answer(await fd.click(fd.member, shown, f"pb:{kind}:{pid}"))
    profile = (await answer(await fd.slash(fd.member, "general", "profile show"))).embeds[0]
    fields = {f["name"]: f["value"] for f in profile["fields"]}
    assert fields["Topics (1)"].startswith("• speech recognition — ") and "recent paper" in fields["Topics (1)"]
    assert (fields["👍 Likes"], fields["👎 Not interested"], fields["💾 Saved"]) == ("2", "1", "1 (0 read)")
    assert "speech" in fields["Terms that weigh most"]


async def test_button_profile_reset_asks_first_and_only_its_owner_can_confirm(discord_harness,
                                                                              service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    shown = await picks(fd)
    await answer(await fd.click(fd.member, shown, custom_ids(shown)[2]))  # a save
    ask = await answer(await fd.slash(fd.member, "general", "profile reset"))
    assert "Are you sure?" in ask.content
    assert custom_ids(ask) == [f"pb:reset:yes:{fd.member.id}", f"pb:reset:no:{fd.member.id}"]
    assert count(service, Subscription, Subscription.target_id == fd.member.id) == 1  # nothing yet

    stranger = await fd.click(fd.admin, ask, f"pb:reset:yes:{fd.member.id}")
    body = await stranger.response()
    assert body["data"]["content"] == NOT_YOURS and body["data"]["flags"] & 64
    assert count(service, Subscription, Subscription.target_id == fd.member.id) == 1

    cancelled = await redrawn(fd, fd.member, ask, f"pb:reset:no:{fd.member.id}")
    assert cancelled.content == "Nothing was reset." and not cancelled.components

    ask = await answer(await fd.slash(fd.member, "general", "profile reset"))
    done = await redrawn(fd, fd.member, ask, f"pb:reset:yes:{fd.member.id}")
    assert done.content.startswith("🧹 Done: forgot 1 topic and 1 piece of feedback") and not done.components
    assert count(service, Subscription, Subscription.target_id == fd.member.id) == 0
    assert count(service, ReadingListEntry, ReadingListEntry.user_id == fd.member.id) == 0


async def test_button_50_concurrent_interactions_are_all_answered_once(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    shown = await picks(fd, count=5)
    ids = [e["url"].rsplit("/", 1)[1] for e in shown.embeds]
    sends = []
    for n in range(50):
        kind = n % 5
        if kind == 0:
            sends.append(fd.click(fd.member, shown, f"pb:like:{ids[n % 5]}"))
        elif kind == 1:
            sends.append(fd.click(fd.member, shown, f"pb:save:{ids[(n // 5) % 5]}"))
        elif kind == 2:
            sends.append(fd.slash(fd.admin, "general", "search", query="speech recognition"))
        elif kind == 3:
            sends.append(fd.slash(fd.owner, "general", "subscribe", topic=f"speech recognition {n % 3}"))
        else:
            sends.append(fd.slash(fd.member, "general", "library"))
    handles = await asyncio.gather(*sends)
    replies = await asyncio.gather(*(answer(h) for h in handles))  # each acknowledged within 3 s, and answered
    assert all(not r.content.startswith("⚠️ Something went wrong") for r in replies)
    assert max(h.latency for h in handles) < 3
    assert kinds(service, fd.member.id) == {(ids[0], "like")} | {(pid, "save") for pid in ids}
    assert count(service, ReadingListEntry, ReadingListEntry.user_id == fd.member.id) == 5
    assert count(service, Subscription, Subscription.target_id == fd.owner.id) == 3  # each topic once


async def test_button_under_a_channel_digest_answer_each_member(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    papers = fd.channel("papers")
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="speech recognition"))
    await answer(await fd.slash(fd.admin, "general", "digest channel", channel=papers))
    await answer(await fd.slash(fd.admin, "general", "digest now"))
    header = await fd.wait_for_message(papers, timeout=10)
    thread = await fd.wait_until(lambda: thread_on(fd, header), 10, "the day's thread")
    cards = await fd.wait_for_message(thread, timeout=10)
    ids = [i.split(":", 2)[2] for i in custom_ids(cards)[::4]]
    assert custom_ids(cards)[:4] == [f"pb:{kind}:{ids[0]}" for kind in ("like", "dismiss", "save", "more")]

    more = await answer(await fd.click(fd.owner, cards, f"pb:more:{ids[0]}"))  # any member, only they see it
    assert more.content.startswith("🧭 More like") and f"`{ids[0]}`" in more.content and more.ephemeral
    for pid in ids[:2]:
        liked = await answer(await fd.click(fd.admin, cards, f"pb:like:{pid}"))
        assert liked.content.startswith("👍 Liked")
    assert kinds(service, fd.admin.id) == {(ids[0], "like"), (ids[1], "like")} and not kinds(service, fd.owner.id)
    assert len(fd.messages(papers)) == 1  # the answers are ephemeral: the channel holds the header alone
