"""/sources: the arXiv categories and Hugging Face papers a server's digest draws on (admins only)."""

from __future__ import annotations

import pytest
from botkit import answer, start_bot, synced, text_of
from fakediscord import CommandNotVisible

from recommender.service import PaperService

pytestmark = pytest.mark.e2e


def fields(reply) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {f["name"]: f["value"] for f in reply.embeds[0]["fields"]}


async def test_sources_set_categories_and_the_preview_honours_them(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    reply = await answer(await fd.slash(fd.admin, "general", "sources"))
    assert fields(reply) == {"arXiv categories": "all the categories the bot reads", "Hugging Face Daily Papers": "on"}
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="graph neural networks"))
    await answer(await fd.slash(fd.admin, "general", "digest channel", channel=fd.channel("papers")))

    reply = await answer(await fd.slash(fd.admin, "general", "sources", categories="cs.cv", huggingface="off"))
    assert reply.content.startswith("✅")
    assert fields(reply) == {"arXiv categories": "cs.CV", "Hugging Face Daily Papers": "off"}
    draft = service.compose_channel_digest(fd.guild.id)
    assert draft.picks and all("cs.CV" in r.paper.categories for r in draft.picks)
    preview = await answer(await fd.slash(fd.admin, "general", "digest preview"))
    assert all(r.paper.title[:20] in text_of(preview) for r in draft.picks[:3])

    reply = await answer(await fd.slash(fd.admin, "general", "sources", categories="all"))
    assert fields(reply)["arXiv categories"] == "all the categories the bot reads"


async def test_sources_autocomplete_offers_the_librarys_categories(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    choices = [c["value"] for c in await fd.autocomplete(fd.admin, "general", "sources", option="categories", value="")]
    assert choices[0] == "all" and "cs.LG" in choices and len(choices) <= 25
    choices = [c["value"] for c in await fd.autocomplete(fd.admin, "general", "sources", option="categories",
                                                           value="cs.LG, CS.c")]
    assert choices and all(c.startswith("cs.LG, cs.C") for c in choices) and "cs.LG, cs.CL" in choices
    assert await fd.autocomplete(fd.admin, "general", "sources", option="categories", value="q" * 400) == []


async def test_sources_bad_input_changes_nothing(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    await answer(await fd.slash(fd.admin, "general", "sources", categories="cs.LG"))
    too_many = ", ".join(f"math.{chr(65 + i)}{chr(65 + i)}" for i in range(21))
    for categories, fragment in (("cs.LG; DROP TABLE guilds", "not an arXiv category"),
                                 ("🙂🙂🙂", "not an arXiv category"), (too_many, "At most 20 categories"),
                                 (",,, ,", "at least one")):
        reply = await answer(await fd.slash(fd.admin, "general", "sources", categories=categories))
        assert reply.content.startswith("⚠️") and fragment in reply.content and len(reply.content) < 300, categories
    for options in ({"categories": "c" * 10_000}, {"huggingface": "maybe"}):
        with pytest.raises(ValueError):
            await fd.slash(fd.admin, "general", "sources", **options)
    assert service.digest_settings(fd.guild.id).categories == ("cs.LG",)


async def test_sources_is_hidden_from_members_and_refused_server_side(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    command = synced(fd, "sources")
    assert int(command["default_member_permissions"]) == 32 and command["contexts"] == [0]
    with pytest.raises(CommandNotVisible):
        await fd.slash(fd.member, "general", "sources", huggingface="off")
    fd.set_command_permission(fd.guild, "sources", fd.guild, True)
    reply = await answer(await fd.slash(fd.member, "general", "sources", huggingface="off"))
    assert "Manage Server" in reply.content
    assert await fd.autocomplete(fd.member, "general", "sources", option="categories", value="cs") == []
    conf = service.digest_settings(fd.guild.id)
    assert conf is None or conf.hf
