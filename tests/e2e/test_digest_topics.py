"""/digest topics add|remove|list: the digest channel's own topics, for admins only, with autocomplete."""

from __future__ import annotations

import pytest
from botkit import answer, start_bot, text_of
from fakediscord import CommandNotVisible

from recommender.service import PaperService
from recommender.views import Target

pytestmark = pytest.mark.e2e


async def setup(discord_harness, service: PaperService):  # type: ignore[no-untyped-def]
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="speech recognition"))
    await answer(await fd.slash(fd.admin, "general", "digest channel", channel=fd.channel("papers")))
    return fd


async def test_digest_topics_add_list_remove_and_the_preview_follows_them(discord_harness, service: PaperService) -> None:
    fd = await setup(discord_harness, service)
    reply = await answer(await fd.slash(fd.admin, "general", "digest topics list"))
    assert "No topics of its own" in text_of(reply) and "members" in text_of(reply)
    preview = await answer(await fd.slash(fd.admin, "general", "digest preview"))
    assert "speech recognition" in text_of(preview)  # the members' topic while the channel has none

    reply = await answer(await fd.slash(fd.admin, "general", "digest topics add", topic="graph neural networks"))
    assert "The digest now follows **graph neural networks**" in reply.content and "not the members'" in reply.content
    assert f"<#{fd.channel('papers').id}>" in reply.embeds[0]["title"]
    again = await answer(await fd.slash(fd.admin, "general", "digest topics add", topic="Graph Neural Networks"))
    assert "already follows" in again.content
    channel = Target.channel(fd.channel("papers").id, fd.guild.id)
    assert service.topics(channel) == ["graph neural networks"]
    preview = await answer(await fd.slash(fd.admin, "general", "digest preview"))
    assert "graph neural networks" in text_of(preview) and "speech recognition" not in text_of(preview)
    status = await answer(await fd.slash(fd.admin, "general", "digest status"))
    assert "Topics its own: graph neural networks" in text_of(status)

    reply = await answer(await fd.slash(fd.admin, "general", "digest topics remove", topic="graph neural networks"))
    assert "no longer follows" in reply.content and "members' topics again" in reply.content
    assert service.topics(channel) == []


async def test_digest_topics_remove_autocompletes_the_channels_topics(discord_harness, service: PaperService) -> None:
    fd = await setup(discord_harness, service)
    for topic in ("graph neural networks", "graph transformers", "speech synthesis"):
        await answer(await fd.slash(fd.admin, "general", "digest topics add", topic=topic))
    choices = await fd.autocomplete(fd.admin, "general", "digest topics remove", option="topic", value="GRAPH")
    assert [c["value"] for c in choices] == ["graph neural networks", "graph transformers"]
    assert await fd.autocomplete(fd.admin, "general", "digest topics remove", option="topic", value="z" * 100) == []
    reply = await answer(await fd.slash(fd.admin, "general", "digest topics remove", topic="knitting"))
    assert "does not follow `knitting`" in reply.content and "graph transformers" in reply.content


async def test_digest_topics_need_a_channel_and_refuse_bad_topics(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    reply = await answer(await fd.slash(fd.admin, "general", "digest topics add", topic="graph neural networks"))
    assert "Set the digest channel first" in reply.content
    await answer(await fd.slash(fd.admin, "general", "digest channel", channel=fd.channel("papers")))
    nonsense = "qzxv " * 20  # 100 characters: the longest Discord lets through
    reply = await answer(await fd.slash(fd.admin, "general", "digest topics add", topic=nonsense))
    assert reply.content.startswith("⚠️") and "could never match" in reply.content and len(reply.content) < 2000
    with pytest.raises(ValueError, match="max_length"):  # the client refuses 10,000 characters
        await fd.slash(fd.admin, "general", "digest topics add", topic="x" * 10_000)
    assert service.topics(Target.channel(fd.channel("papers").id, fd.guild.id)) == []


async def test_digest_topics_are_hidden_from_members_and_refused_server_side(discord_harness, service: PaperService) -> None:
    fd = await setup(discord_harness, service)
    assert "digest" not in fd.visible_commands(fd.member, "general")
    assert {"digest", "subscribe", "settings"} <= set(fd.visible_commands(fd.admin, "general"))
    with pytest.raises(CommandNotVisible):
        await fd.slash(fd.member, "general", "digest topics add", topic="graph neural networks")
    with pytest.raises(CommandNotVisible):
        await fd.autocomplete(fd.member, "general", "digest topics remove", option="topic", value="g")
    fd.set_command_permission(fd.guild, "digest", fd.member, True)  # opened to bob: the bot still refuses
    reply = await answer(await fd.slash(fd.member, "general", "digest topics add", topic="graph neural networks"))
    assert "Manage Server" in reply.content
    assert await fd.autocomplete(fd.member, "general", "digest topics remove", option="topic", value="") == []
    assert service.topics(Target.channel(fd.channel("papers").id, fd.guild.id)) == []
