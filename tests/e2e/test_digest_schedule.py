"""/digest schedule (time zone autocomplete in any case), status, off, preview and now, as an admin would use them."""

from __future__ import annotations

import pytest
from botkit import answer, start_bot, text_of
from fakediscord import CommandNotVisible

from recommender.service import PaperService

pytestmark = pytest.mark.e2e


def fields(reply) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {f["name"]: f["value"] for f in reply.embeds[0]["fields"]}


async def test_digest_schedule_moves_the_job_and_refuses_absurd_values(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    bot = await start_bot(discord_harness, service)
    await answer(await fd.slash(fd.admin, "general", "digest channel", channel=fd.channel("papers")))
    reply = await answer(await fd.slash(fd.admin, "general", "digest schedule", time="6:45", timezone="asia/tokyo",
                                        weekdays="Mon,Wed,Fri", size=25))
    got = fields(reply)
    assert got["Time"] == "06:45 (Asia/Tokyo)" and got["Days"] == "mon,wed,fri" and got["Papers"] == "25"

    def moved():  # type: ignore[no-untyped-def]
        job = bot.scheduler.get_job(f"digest:{fd.guild.id}")
        trigger = str(job.trigger) if job else ""
        return job if "hour='6'" in trigger and "minute='45'" in trigger and "mon,wed,fri" in trigger else None

    job = await fd.wait_until(moved, 5, "the rescheduled digest job")
    assert str(job.trigger.timezone) == "Asia/Tokyo"

    for options, fragment in (({"time": "24:00"}, "is not a time of day"), ({"time": "noon"}, "is not a time of day"),
                              ({"timezone": "Mars/Olympus_Mons"}, "not an IANA time zone"),
                              ({"weekdays": "someday"}, "is not a weekday"), ({"weekdays": "fri-"}, "weekday range")):
        reply = await answer(await fd.slash(fd.admin, "general", "digest schedule", **options))
        assert reply.content.startswith("⚠️") and fragment in reply.content, options
    for options in ({"size": 0}, {"size": 26}, {"size": -10**9}, {"time": "x" * 10_000}):
        with pytest.raises(ValueError):  # Discord's client refuses these before the bot sees them
            await fd.slash(fd.admin, "general", "digest schedule", **options)
    conf = service.digest_settings(fd.guild.id)
    assert (conf.time, conf.timezone, conf.weekdays, conf.size) == ("06:45", "Asia/Tokyo", "mon,wed,fri", 25)


async def test_digest_schedule_timezone_autocomplete_ignores_case(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    choices = await fd.autocomplete(fd.admin, "general", "digest schedule", option="timezone", value="")
    assert choices[0] == {"name": "UTC", "value": "UTC"} and len(choices) <= 25
    choices = await fd.autocomplete(fd.admin, "general", "digest schedule", option="timezone", value="BERLIN")
    assert [c["value"] for c in choices] == ["Europe/Berlin"]
    choices = await fd.autocomplete(fd.admin, "general", "digest schedule", option="timezone", value="new york")
    assert [c["value"] for c in choices] == ["America/New_York"]
    choices = await fd.autocomplete(fd.admin, "general", "digest schedule", option="timezone", value="america/")
    assert len(choices) == 25 and all(c["value"].startswith("America/") for c in choices)
    assert await fd.autocomplete(fd.admin, "general", "digest schedule", option="timezone", value="y" * 64) == []


async def test_digest_status_off_and_on_again(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    bot = await start_bot(discord_harness, service)
    reply = await answer(await fd.slash(fd.admin, "general", "digest status"))
    assert "No digest channel yet" in reply.content
    await answer(await fd.slash(fd.admin, "general", "digest channel", channel=fd.channel("papers")))
    await fd.wait_until(lambda: bot.scheduler.get_job(f"digest:{fd.guild.id}"), 5, "the digest job")
    reply = await answer(await fd.slash(fd.admin, "general", "digest status"))
    assert fields(reply)["Status"] == "on" and fields(reply)["Channel"] == f"<#{fd.channel('papers').id}>"

    reply = await answer(await fd.slash(fd.admin, "general", "digest off"))
    assert "switched off" in reply.content and fields(reply)["Status"] == "off"
    await fd.wait_until(lambda: bot.scheduler.get_job(f"digest:{fd.guild.id}") is None or None, 5, "no digest job")
    reply = await answer(await fd.slash(fd.admin, "general", "digest status"))
    assert fields(reply)["Status"] == "off"
    await answer(await fd.slash(fd.admin, "general", "digest channel", channel=fd.channel("papers")))
    await fd.wait_until(lambda: bot.scheduler.get_job(f"digest:{fd.guild.id}"), 5, "the digest job again")


async def test_digest_now_posts_once_and_preview_posts_nothing(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    reply = await answer(await fd.slash(fd.admin, "general", "digest now"))
    assert "No digest channel yet" in reply.content
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="graph neural networks"))
    await answer(await fd.slash(fd.admin, "general", "digest channel", channel=fd.channel("papers")))
    preview = await answer(await fd.slash(fd.admin, "general", "digest preview"))
    assert "Preview (not posted)" in preview.content and "graph neural networks" in text_of(preview)
    assert fd.messages("papers") == []

    reply = await answer(await fd.slash(fd.admin, "general", "digest now"))
    assert reply.content.startswith("✅") and f"<#{fd.channel('papers').id}>" in reply.content
    posted = len(fd.messages("papers"))
    assert posted >= 1
    reply = await answer(await fd.slash(fd.admin, "general", "digest now"))
    assert "already posted" in reply.content and len(fd.messages("papers")) == posted  # never twice


async def test_digest_commands_are_not_offered_in_dms(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    dm = fd.dm_channel(fd.admin)
    offered = fd.visible_commands(fd.admin, dm)
    assert "digest" not in offered and "sources" not in offered and "stats" not in offered
    assert {"settings", "dm", "subscribe"} <= set(offered) and "trending" not in offered
    with pytest.raises(CommandNotVisible, match="not available in DMs"):
        await fd.slash(fd.admin, dm, "digest status")
