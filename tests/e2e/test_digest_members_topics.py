"""A member's topics count in the digest of every server they use paperbot in, wherever they subscribed."""

from __future__ import annotations

import pytest
from fakediscord import CommandNotVisible
from botkit import answer, start_bot

from recommender.service import PaperService
from recommender.storage.models import Subscription

pytestmark = pytest.mark.e2e


async def test_digest_uses_topics_members_followed_in_dms(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    world = fd.world
    owen = next(u for u in world.users.values() if u.username == "owen")  # owns a second server too
    other = world.add_guild("Other Lab", owen)
    world.add_channel(other, "lab-general")
    lab_papers = world.add_channel(other, "lab-papers")
    await start_bot(discord_harness, service)
    papers = fd.channel("papers")

    reply = await answer(await fd.slash(fd.member, fd.dm_channel(fd.member), "subscribe", topic="speech recognition"))
    assert "Subscribed to **speech recognition**" in reply.content
    with service.db.session() as s:
        assert s.query(Subscription.guild_id).filter(Subscription.target_id == fd.member.id).scalar() is None
    await answer(await fd.slash(owen, fd.dm_channel(owen), "subscribe", topic="graph neural networks"))
    await answer(await fd.slash(owen, "lab-general", "topics"))  # owen uses paperbot in Other Lab only

    await answer(await fd.slash(fd.admin, "general", "digest channel", channel=papers))
    before = service.compose_channel_digest(fd.guild.id)
    assert before.topics == [] and not before.picks, "bob has not used paperbot in Paper Lab yet"

    await answer(await fd.slash(fd.member, "general", "topics"))  # bob uses it in Paper Lab: he is a member
    reply = await answer(await fd.slash(fd.admin, "general", "digest preview"))
    assert "speech recognition" in reply.embeds[0]["footer"]["text"]
    assert "speech" in reply.embeds[0]["description"].lower()
    draft = service.compose_channel_digest(fd.guild.id)
    assert draft.topics == ["speech recognition"] and draft.picks

    # /digest why: would the digest carry a paper now, and why (admins only, like the preview).
    first = draft.picks[0].paper.id
    reply = await answer(await fd.slash(fd.admin, "general", "digest why", paper=first))
    field = reply.embeds[0]["fields"][0]["value"]
    assert "Would be in the digest now: #1" in field and "speech recognition" in field
    with pytest.raises(CommandNotVisible):  # hidden from members (default_member_permissions) ...
        await fd.slash(fd.member, "general", "digest why", paper=first)
    fd.set_command_permission(fd.guild, "digest", fd.member, True)  # ... and refused if a server opens it to them
    reply = await answer(await fd.slash(fd.member, "general", "digest why", paper=first))
    assert "Manage Server" in reply.content and not reply.embeds

    service.configure_digest(other.id, channel_id=lab_papers.id)
    assert service.compose_channel_digest(other.id).topics == ["graph neural networks"], "each server its members"
