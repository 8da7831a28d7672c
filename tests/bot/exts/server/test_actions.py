"""/sources, /trending and /stats in the local console (the same actions Discord runs)."""

from __future__ import annotations

from datetime import date, datetime

from bot.console._repl import CONSOLE_GUILD
from bot.context import Invoker
from bot.exts.server._actions import category_choices
from recommender.ingest.jobs import run_hf
from recommender.service import PaperService
from recommender.views import Target
from tests.support.console import console_words
from tests.support.httpserver import Reply
from tests.support.sources import fixture

run = console_words  # the console in process: exit code and words


async def test_sources_in_the_console_and_the_digest_honours_them(service: PaperService) -> None:
    code, out = await run(service, "/sources\n")
    assert code == 0 and "all the categories the bot reads" in out
    service.subscribe(Target.user(1, CONSOLE_GUILD), "graph neural networks")
    await run(service, "/digest channel channel: #papers\n")
    everything = service.compose_channel_digest(CONSOLE_GUILD)
    assert any("cs.LG" not in p.paper.categories for p in everything.picks)

    code, out = await run(service, "/sources categories: CS.lg huggingface: off\n")
    assert code == 0, out
    assert "cs.LG" in out and "Hugging Face Daily Papers off" in out
    conf = service.digest_settings(CONSOLE_GUILD)
    assert conf.categories == ("cs.LG",) and conf.hf is False
    draft = service.compose_channel_digest(CONSOLE_GUILD)
    assert draft.picks and all("cs.LG" in p.paper.categories for p in draft.picks)

    code, out = await run(service, "/sources categories: cs.LG, astro-ph.GA\n")
    assert code == 0 and "No paper in the library is in astro-ph.GA yet" in out.replace("`", "")
    assert "astro-ph.GA" in service.ingest_categories()  # the scheduled ingestion reads it too

    code, out = await run(service, "/sources categories: not a category!\n/sources categories: " + "x" * 10_000 + "\n"
                                   "/sources categories: " + ",".join(f"cs.A{chr(65 + i)}" for i in range(21)) + "\n")
    assert code == 1
    assert "'not' is not an arXiv category" in out
    assert "categories can be at most 400 characters (this one has 10,000)" in out
    assert "At most 20 categories per server (this list has 21)" in out
    assert service.digest_settings(CONSOLE_GUILD).categories == ("cs.LG", "astro-ph.GA")  # unchanged

    code, out = await run(service, "/sources categories: all huggingface: on\n")
    assert code == 0 and service.digest_settings(CONSOLE_GUILD).categories is None


async def test_sources_autocomplete_completes_the_last_category(service: PaperService) -> None:
    admin = Invoker(service, 1, CONSOLE_GUILD, can_manage_guild=True)
    assert (await category_choices(admin, ""))[0] == "all"
    assert "cs.LG" in await category_choices(admin, "CS.l")
    assert all(c.startswith("cs.LG, cs.C") for c in await category_choices(admin, "cs.LG, cs.c"))
    assert await category_choices(admin, "x" * 10_000) == []
    assert await category_choices(Invoker(service, 2, CONSOLE_GUILD), "cs") == []  # members get nothing


async def test_trending_in_the_console(service: PaperService, server, client, ingest_settings) -> None:
    code, out = await run(service, "/trending\n")
    assert code == 0 and "Nothing liked or saved yet" in out and "No Hugging Face Daily Papers read yet" in out
    chart = service.settings.data_dir / "exports" / "activity.png"
    assert "activity.png" not in out and not chart.exists()  # no activity: no chart
    papers = [r.paper.id for r in service.search("graph neural networks", limit=3)]
    for user in (1, 2, 3):
        service.member_seen(user, CONSOLE_GUILD)
        service.feedback(user, papers[0], "like")
    service.feedback(2, papers[1], "save")
    service.member_seen(99, 424242)  # another server's member: not counted here
    service.feedback(99, papers[2], "like")
    server.route("/api/daily_papers", Reply(fixture("hf-daily-papers.json"), content_type="application/json"))
    run_hf(service.db, client, ingest_settings, [date(2026, 6, 12)])

    code, out = await run(service, "/trending days: 30\n")
    assert code == 0, out
    assert "Trending in console, the last 30 days" in out
    liked, saved, elsewhere = (service.paper(p).title[:30] for p in papers)
    assert out.index(liked) < out.index("👍 3") < out.index(saved) < out.index("💾 1")  # most members first
    assert elsewhere not in out
    assert "Most upvoted on Hugging Face" in out and "▲ 118" in out
    assert "saved activity.png" in out and str(chart) in out  # the chart Discord shows, saved where /export's go
    assert chart.read_bytes().startswith(b"\x89PNG") and service.activity(CONSOLE_GUILD, 5).total == 4
    code, out = await run(service, "/trending days: 0\n/trending days: 100000\n")
    assert code == 1 and "days must be at least 1" in out and "days can be at most 90" in out


async def test_stats_shows_the_last_delivery_failures(service: PaperService) -> None:
    code, out = await run(service, "/stats\n")
    assert code == 0 and "Last delivery failures None" in out
    service.configure_digest(CONSOLE_GUILD, channel_id=77)
    draft = service.compose_channel_digest(CONSOLE_GUILD, day=date(2026, 6, 20))
    digest_id = service.claim_digest(draft)
    assert digest_id is not None
    service.mark_digest_failed(digest_id, "Missing Permissions (50013)", "MISSING_PERMISSION",
                               datetime(2026, 6, 20, 9, 30))
    code, out = await run(service, "/stats\n")
    assert code == 0
    assert "channel digest of 2026-06-20 · failed, next try 09:30 UTC (1 tries): Missing Permissions (50013)" in out
