"""/dm on and /digest schedule with long or odd values: clear, short errors; IANA names in any case."""

from __future__ import annotations

import pytest
from botkit import CONTENT_MAX, answer, start_bot

from recommender.service import PaperService

pytestmark = pytest.mark.e2e


async def test_settings_timezone_in_lower_case_is_accepted(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    reply = await answer(await fd.slash(fd.member, "general", "dm on", time="07:15", timezone="utc"))
    assert "every day at 07:15 (UTC)" in reply.content
    reply = await answer(await fd.slash(fd.member, "general", "dm on", timezone="europe/berlin"))
    assert "(Europe/Berlin)" in reply.content
    reply = await answer(await fd.slash(fd.admin, "general", "digest schedule", timezone="AMERICA/NEW_YORK"))
    assert "America/New_York" in reply.embeds[0]["fields"][1]["value"]
    assert service.digest_settings(fd.guild.id).timezone == "America/New_York"


async def test_settings_longest_bad_values_get_short_errors(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    long_zone = "Mars/" + "x" * 59  # the longest value Discord lets through (64)
    reply = await answer(await fd.slash(fd.member, "general", "dm on", timezone=long_zone))
    assert "not an IANA time zone" in reply.content and "64 characters" in reply.content
    assert len(reply.content) < 300 and long_zone not in reply.content and long_zone[:40] in reply.content

    days = "mon,tue,wed,thu,fri,sat,sun,funday" + "y" * 26  # 60 characters
    reply = await answer(await fd.slash(fd.admin, "general", "digest schedule", weekdays=days))
    assert "is not a weekday" in reply.content and len(reply.content) < 300 and days not in reply.content
    reply = await answer(await fd.slash(fd.admin, "general", "digest schedule", time="99:99"))
    assert "'99:99' is not a time of day" in reply.content
    assert service.digest_settings(fd.guild.id) is None, "nothing was stored from bad input"


@pytest.mark.parametrize(("command", "option", "size"), [
    ("dm on", "timezone", 300), ("dm on", "time", 3000), ("digest schedule", "weekdays", 3000),
    ("digest schedule", "time", 3000), ("digest schedule", "timezone", 300),
])
async def test_settings_values_over_the_limit_never_reach_the_bot(discord_harness, service: PaperService,
                                                                   command: str, option: str, size: int) -> None:
    """Discord's client refuses values longer than the declared max_length, so nothing can crash."""
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    user = fd.admin if command.startswith("digest") else fd.member
    with pytest.raises(ValueError, match=option):
        await fd.slash(user, "general", command, **{option: "x" * size})
    # The limits are what the synced commands declare (Discord enforces them), and the bot still answers.
    reply = await answer(await fd.slash(user, "general", command, **{option: "x" * 5}))
    assert reply.content.startswith("⚠️") and len(reply.content) <= CONTENT_MAX
