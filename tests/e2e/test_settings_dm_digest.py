"""/settings: a member's DM digest (on/off, time, time zone, days, size, threshold), beside /dm on|off."""

from __future__ import annotations

from datetime import date

import pytest
from botkit import answer, start_bot

from recommender.service import PaperService

pytestmark = pytest.mark.e2e


def fields(reply) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {f["name"]: f["value"] for f in reply.embeds[0]["fields"]}


async def test_settings_shows_and_changes_the_dm_digest(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    reply = await answer(await fd.slash(fd.member, "general", "settings"))
    got = fields(reply)
    assert got["Status"] == "off" and got["Time"] == "08:00 (UTC)" and "(default)" in got["Papers"]
    assert got["Threshold"] == "match above 26 (default)"  # the server's cut-off (0.3), as a match

    reply = await answer(await fd.slash(fd.member, "general", "settings", dm="on", time="21:30", timezone="america/chicago",
                                        days="mon-fri", size=3, threshold=60))
    assert "Your personal picks come by DM at 21:30 (America/Chicago), mon-fri" in reply.content
    assert "You follow no topics yet" in reply.content
    got = fields(reply)
    assert got["Papers"] == "up to 3" and got["Threshold"] == "match above 60" and got["Status"] == "on"
    conf = service.dm_settings(fd.member.id)
    assert (conf.enabled, conf.time, conf.timezone, conf.weekdays, conf.size, conf.min_match) == (
        True, "21:30", "America/Chicago", "mon-fri", 3, 60)

    reply = await answer(await fd.slash(fd.member, "general", "dm off"))  # /dm sits beside /settings
    assert fields(await answer(await fd.slash(fd.member, "general", "settings")))["Status"] == "off"
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="graph neural networks"))
    reply = await answer(await fd.slash(fd.member, "general", "settings", dm="on"))
    assert service.dm_settings(fd.member.id).size == 3 and "no topics" not in reply.content  # the rest was kept


async def test_settings_refuses_absurd_values_with_short_messages(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    await answer(await fd.slash(fd.member, "general", "settings", dm="on", time="07:00"))
    long_zone = "Europe/" + "q" * 57  # 64 characters, the most Discord lets through
    for options, fragment in (({"time": "7pm"}, "is not a time of day"), ({"timezone": long_zone}, "not an IANA time zone"),
                              ({"days": "weekends only please"}, "is not a weekday"),
                              ({"days": "mon-" + "x" * 56}, "weekday range")):
        reply = await answer(await fd.slash(fd.member, "general", "settings", **options))
        assert reply.content.startswith("⚠️") and fragment in reply.content and len(reply.content) < 300, options
    for options in ({"threshold": 96}, {"threshold": -1}, {"size": 26}, {"size": 10**12}, {"dm": "maybe"},
                    {"timezone": "x" * 10_000}, {"days": "d" * 10_000}):
        with pytest.raises(ValueError):  # limits and choices are the client's to enforce
            await fd.slash(fd.member, "general", "settings", **options)
    conf = service.dm_settings(fd.member.id)
    assert (conf.enabled, conf.time, conf.timezone, conf.weekdays) == (True, "07:00", "UTC", "daily")


async def test_settings_timezone_autocomplete_and_use_in_dms(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    dm = fd.dm_channel(fd.member)
    choices = await fd.autocomplete(fd.member, dm, "settings", option="timezone", value="kolk")
    assert [c["value"] for c in choices] == ["Asia/Kolkata"]
    choices = await fd.autocomplete(fd.member, "general", "settings", option="timezone", value="EUROPE/LON")
    assert [c["value"] for c in choices] == ["Europe/London"]
    reply = await answer(await fd.slash(fd.member, dm, "settings", dm="on", timezone="Asia/Kolkata", size=2))
    assert "(Asia/Kolkata)" in reply.content


async def test_settings_size_and_threshold_shape_the_dm_digest(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="graph neural networks"))
    await answer(await fd.slash(fd.admin, "general", "subscribe", topic="graph neural networks"))
    await answer(await fd.slash(fd.member, "general", "settings", dm="on", size=2))
    await answer(await fd.slash(fd.admin, "general", "settings", dm="on", threshold=95))
    day = date(2026, 7, 1)
    drafts = {d.target.id: d for d in service.compose_personal_digests([(fd.member.id, day), (fd.admin.id, day)])}
    assert len(drafts[fd.member.id].picks) == 2
    assert all(p.match >= 95 for p in drafts[fd.admin.id].picks)
