"""The digest's admin and settings commands in the local console: same declarations, same services as Discord."""

from __future__ import annotations

import re

from bot.console._repl import CONSOLE_GUILD
from bot.exts.digest._actions import channel_mute_choices, timezone_choices
from bot.context import Invoker
from recommender.service import PaperService
from recommender.views import Target
from tests.support.console import console_words

run = console_words  # the console in process: exit code and words


async def test_digest_topics_add_list_remove_in_the_console(service: PaperService) -> None:
    code, out = await run(service, "/digest topics add topic: graph neural networks\n")
    assert code == 1 and "Set the digest channel first" in out  # topics belong to a channel
    code, out = await run(service, "/digest channel channel: #console\n"
                                   "/digest topics add topic: graph neural networks\n"
                                   "/digest topics add topic: speech recognition\n/digest topics list\n")
    assert code == 0, out
    assert "The digest now follows graph neural networks" in out and "not the members'" in out
    channel = Target.channel(service.digest_settings(CONSOLE_GUILD).channel_id, CONSOLE_GUILD)
    assert service.topics(channel) == ["graph neural networks", "speech recognition"]
    draft = service.compose_channel_digest(CONSOLE_GUILD)
    assert draft.topics == ["graph neural networks", "speech recognition"]  # the channel's own, not members'
    assert {p.matched for p in draft.picks} <= {"graph neural networks", "speech recognition"}

    code, out = await run(service, "/digest channel channel: #reading-group\n")  # the topics go with the digest
    assert code == 0 and "Its 2 own topics moved with it" in out
    channel = Target.channel(service.digest_settings(CONSOLE_GUILD).channel_id, CONSOLE_GUILD)
    assert service.topics(channel) == ["graph neural networks", "speech recognition"]

    code, out = await run(service, "/digest topics remove topic: Speech Recognition\n/digest topics remove topic: nope\n")
    assert code == 1 and "no longer follows speech recognition" in out
    assert "does not follow nope. Its topics: graph neural networks" in out.replace("`", "")
    code, out = await run(service, "/digest topics add topic: " + "q" * 10_000 + "\n")
    assert code == 1 and "topic can be at most 100 characters (this one has 10,000)" in out


async def test_settings_in_the_console(service: PaperService) -> None:
    code, out = await run(service, "/settings\n")
    assert code == 0 and "Your DM digest" in out and "off" in out and "(default)" in out
    code, out = await run(service, "/settings dm: ON time: 07:15 timezone: europe/berlin days: mon-fri size: 3 threshold: 40\n")
    assert code == 0, out
    conf = service.dm_settings(1)
    assert (conf.enabled, conf.time, conf.timezone, conf.weekdays, conf.size, conf.min_match) == (
        True, "07:15", "Europe/Berlin", "mon-fri", 3, 40)
    code, out = await run(service, "/settings threshold: 96\n/settings size: 0\n/settings days: someday\n"
                                   "/settings timezone: Mars/Olympus\n/settings dm: yes\n")
    assert code == 1
    assert "threshold can be at most 95" in out and "size must be at least 1" in out
    assert "'someday' is not a weekday" in out and "'Mars/Olympus' is not an IANA time zone" in out
    assert "dm must be one of on, off" in out
    assert service.dm_settings(1).min_match == 40  # nothing half-saved


async def test_timezone_autocomplete_is_case_insensitive(bare_service: PaperService) -> None:
    ctx = Invoker(bare_service, 1)
    assert (await timezone_choices(ctx, ""))[0] == "UTC"
    assert "Europe/Berlin" in await timezone_choices(ctx, "BERLIN")
    assert (await timezone_choices(ctx, "new york")) == ["America/New_York"]
    assert (await timezone_choices(ctx, "europe/"))[:2] == ["Europe/Amsterdam", "Europe/Andorra"]
    assert await timezone_choices(ctx, "x" * 5000) == []
    assert len(await timezone_choices(ctx, "a")) == 25


async def test_weekly_digest_schedule_status_and_now_in_the_console(service: PaperService) -> None:
    code, out = await run(service, "/subscribe topic: graph neural networks\n/digest channel channel: #console\n"
                                   "/digest schedule cadence: weekly day: mon\n/digest status\n"
                                   "/digest channel channel: #console\n")
    assert code == 0, out
    assert re.search(r"The weekly digest will be posted in #\S+ every Mon at 08:00 \(UTC\)", out), out
    assert "Digest schedule updated: weekly, on Mon at 08:00 (UTC)" in out
    assert "Weekly digest settings" in out and "Cadence weekly" in out and "Days mon" in out
    conf = service.digest_settings(CONSOLE_GUILD)
    assert (conf.cadence, conf.week_day, conf.weekdays) == ("weekly", "mon", "mon-fri")

    code, out = await run(service, "/digest now\n")
    assert code == 0 and "this week" in out and "Posted this week's digest (8 papers)" in out, out
    assert "new papers this week** for" in out or "new papers this week for" in out
    code, out = await run(service, "/digest now\n")
    assert "This week's digest was already posted" in out  # once a week, whatever the day

    code, out = await run(service, "/digest schedule cadence: hourly\n/digest schedule day: fun\n"
                                   "/digest schedule day: mon-fri\n")
    assert code == 1 and "cadence must be one of daily, weekly" in out and "day must be one of mon, tue" in out
    assert "day can be at most 3 characters" in out
    code, out = await run(service, "/digest schedule cadence: daily\n")
    assert code == 0 and "Digest schedule updated: mon-fri at 08:00 (UTC)" in out and "Cadence daily" in out
    assert service.digest_settings(CONSOLE_GUILD).week_day == "mon"  # kept for the next switch


async def test_weekly_dm_digest_settings_in_the_console(service: PaperService) -> None:
    code, out = await run(service, "/settings dm: on cadence: Weekly day: FRI time: 07:00\n")
    assert code == 0, out
    assert "Your personal picks come by DM at 07:00 (UTC), weekly, on Fri." in out and "Cadence weekly" in out
    code, out = await run(service, "/settings\n/dm on\n")
    assert "Days fri Cadence weekly" in out and "by DM every Fri at 07:00 (UTC)" in out
    code, out = await run(service, "/settings cadence: daily\n")
    assert code == 0 and "come by DM at 07:00 (UTC), daily." in out
    conf = service.dm_settings(1)
    assert (conf.cadence, conf.week_day, conf.weekdays) == ("daily", "fri", "daily")
async def test_digest_mute_and_unmute_in_the_console(service: PaperService) -> None:
    code, out = await run(service, "/digest mute keyword word: speech\n")
    assert code == 1 and "Set the digest channel first" in out  # mutes belong to a channel
    code, out = await run(service, "/subscribe topic: speech recognition\n/subscribe topic: graph neural networks\n"
                                   "/digest channel channel: #console\n/digest mute keyword word: speech\n"
                                   "/digest mute category code: cs.SD\n/digest status\n")
    assert code == 0, out
    assert "The digest mutes the keyword speech: such papers are never posted in it" in out
    assert "Muted in the digest in #channel-" in out and "keyword: speech" in out and "category: cs.SD" in out
    assert "Mutes category cs.SD, keyword speech" in out  # /digest status
    for rec in service.compose_channel_digest(CONSOLE_GUILD).picks:
        assert "speech" not in f"{rec.paper.title} {rec.paper.abstract}".lower().split()
        assert "cs.SD" not in rec.paper.categories
    assert service.mutes(1) == [], "the digest's mutes are not the admin's own"
    speech = next(r.paper for r in service.search("speech recognition", 5) if "cs.SD" not in r.paper.categories
                  and "speech" in f"{r.paper.title} {r.paper.abstract}".lower().split())
    code, out = await run(service, f"/digest why paper: {speech.id}\n")
    assert code == 0 and "Never in this digest: it mutes the keyword speech (/digest unmute)" in out, out

    admin = Invoker(service, 1, guild_id=CONSOLE_GUILD, can_manage_guild=True)
    assert await channel_mute_choices(admin, "SPE") == ["keyword: speech"]
    assert await channel_mute_choices(Invoker(service, 2, guild_id=CONSOLE_GUILD), "") == [], "members get nothing"
    code, out = await run(service, "/digest unmute mute: keyword: speech\n/digest unmute mute: author: Nobody\n")
    assert code == 1 and "no longer mutes the keyword speech" in out
    assert "The digest hasn't muted the author Nobody. Its mutes: category cs.SD." in out.replace("`", "")
    code, out = await run(service, "/digest mute keyword word: " + "q" * 500 + "\n")
    assert code == 1 and "at most 100 characters" in out
    code, out = await run(service, "/digest mute keyword word: speech\n", user=2)
    assert code == 0 and service.channel_mutes(CONSOLE_GUILD)[1][-1].value == "speech"  # the console's user is an admin
