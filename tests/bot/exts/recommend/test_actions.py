"""/recommend and /why replies: honest headers, 0-100 matches, the verdict of /why."""

from __future__ import annotations

import re

from bot.context import Invoker
from bot.registry import invoke
from recommender.service import PaperService
from recommender.views import Target, match_percent

ME = Target.user(1, 10)


def ctx(service: PaperService, user: int = 1) -> Invoker:
    return Invoker(service=service, user_id=user, guild_id=10, channel_id=20, can_manage_guild=False, guild_name="Lab")


def test_match_runs_from_0_to_100_in_score_order() -> None:
    assert match_percent(-3.0) == 0 and match_percent(0.0) == 0
    assert match_percent(0.5) == 39 and match_percent(1.0) == 63 and match_percent(18.0) == 100
    values = [match_percent(s / 10) for s in range(60)]
    assert values == sorted(values)


async def test_recommend_header_counts_what_was_considered(service: PaperService) -> None:
    service.subscribe(ME, "machine unlearning")
    service.settings.recommend_window_days = 10
    reply = await invoke(ctx(service), "recommend")
    assert reply.content is not None
    found = re.match(r"🔍 Top (\d+) of ([\d,]+) papers from the 10 days to 2026-07-01 \(of 3,000 in the library\)", reply.content)
    assert found, reply.content
    assert int(found.group(2).replace(",", "")) == service.recommend(1).candidates < 3000
    footers = [e.footer.text or "" for e in reply.embeds]
    matches = [int(m) for f in footers for m in re.findall(r"match (\d+)/100", f)]
    assert len(matches) == int(found.group(1)) >= 1 and all(0 < m <= 100 for m in matches)


async def test_why_tells_whether_it_would_be_picked(service: PaperService) -> None:
    service.subscribe(ME, "machine unlearning")
    top = service.recommend(1).picks[0].paper.id
    field = (await invoke(ctx(service), "why", paper=top)).embeds[0].fields[0]
    assert re.fullmatch(r"Match \d+/100", field.name or "")
    assert (field.value or "").startswith("✅ Would be picked for you now: #")

    await invoke(ctx(service), "dismiss", paper=top)
    field = (await invoke(ctx(service), "why", paper=top)).embeds[0].fields[0]
    assert (field.value or "").startswith("❌ Would not be picked: you dismissed it.")

    unrelated = service.search("speech recognition acoustic", 1)[0].paper.id
    field = (await invoke(ctx(service), "why", paper=unrelated)).embeds[0].fields[0]
    assert "❌ Would not be picked: its match" in (field.value or "") and f"under the bar of {match_percent(service.settings.min_score)}/100" in (field.value or "")
