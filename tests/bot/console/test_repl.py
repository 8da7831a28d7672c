"""The console loop, in process: lines from a stream, replies printed as the bot would post them."""

from __future__ import annotations

import io

from rich.console import Console

from bot.console._repl import repl
from recommender.service import PaperService
from recommender.views import Target


async def run(service: PaperService, text: str, user: int = 1) -> tuple[int, str]:
    out = io.StringIO()
    code = await repl(service, user, io.StringIO(text), Console(file=out, width=200, highlight=False))
    return code, out.getvalue()


async def test_commands_from_a_stream(service: PaperService) -> None:
    code, out = await run(service, "/subscribe topic: graph neural networks\n\n# a comment\n/topics\n/recommend\n")
    assert code == 0
    assert "> /subscribe topic: graph neural networks" in out  # each command is echoed
    assert "Subscribed to graph neural networks" in out
    assert "Top 5 of 3,000 papers from the " in out
    titles = [r.paper.title for r in service.recommend(1).picks]
    assert all(t in out for t in titles)  # what the bot would post, paper by paper
    assert "/like, /dismiss, /save or /similar paper: <id>" in out
    assert service.topics(Target.user(1, 1)) == ["graph neural networks"]


async def test_a_failing_command_makes_the_exit_code_non_zero(bare_service: PaperService) -> None:
    code, out = await run(bare_service, "/frobnicate\n/topics\n")
    assert code == 1
    assert "unknown command /frobnicate" in out and "No topics yet" in out  # it carries on after the error
    code, out = await run(bare_service, "/unsubscribe topic: nothing\n")
    assert code == 1 and "You don't follow nothing. Your topics: none yet." in out


async def test_quit_stops_reading(bare_service: PaperService) -> None:
    code, out = await run(bare_service, "/quit\n/subscribe topic: never run\n")
    assert code == 0 and "never run" not in out
    assert bare_service.topics(Target.user(1, 1)) == []


async def test_a_huge_line_is_echoed_shortened(bare_service: PaperService) -> None:
    code, out = await run(bare_service, "/subscribe topic: " + "x" * 10_000 + "\n")
    assert code == 1
    flat = out.replace("\n", "")
    assert "(10,018 characters)" in flat and "topic can be at most 100 characters (this one has 10,000)" in flat
    assert len(out) < 3000


async def test_a_too_long_option_is_one_clear_line(bare_service: PaperService) -> None:
    code, out = await run(bare_service, "/dm on timezone: " + "Z" * 300 + "\n/topics\n")
    assert code == 1
    assert "timezone can be at most 64 characters (this one has 300)" in out.replace("\n", "")
    assert "Traceback" not in out and "No topics yet" in out  # the session carries on


async def test_console_settings_stats_and_titles_as_in_discord(bare_service: PaperService) -> None:
    """The same fixes in the console: case-insensitive zones, short errors, this server's /stats."""
    bare_service.subscribe(Target.user(99, 555), "someone else's server")
    code, out = await run(bare_service, "/dm on timezone: utc\n/dm on timezone: " + "Q" * 64 + "\n/stats\n")
    flat = out.replace("\n", "")
    assert "every day at 08:00 (UTC)" in flat
    error = next(line for line in out.splitlines() if "is not an IANA time zone" in line)
    assert "Q" * 40 in error and "Q" * 41 not in error and "(64 characters)" in error
    assert "Members using paperbot" in flat and "Topics followed" in flat
    assert "someone else" not in flat and code == 1


async def test_member_commands_in_the_console(service: PaperService) -> None:
    import bibtexparser

    paper = service.search("graph neural networks", 1)[0].paper
    script = "\n".join([
        "/subscribe topic: graph neural networks",
        "/topics",
        "/recommend count: 2 days: 7",
        f"/similar paper: https://arxiv.org/pdf/{paper.id}v1",
        f"/why paper: {paper.title}",
        f"/save paper: {paper.id}v3",
        "/library",
        f"/read paper: {paper.id}",
        "/export format: bibtex",
        "/profile show",
        "/profile reset",
        "/why paper: https://example.com/x",
    ]) + "\n"
    code, out = await run(service, script)
    assert code == 1  # the bad link fails, the rest worked
    assert "graph neural networks — " in out and "papers" in out  # /topics with counts
    assert "Top 2 of " in out and "7 days" in out
    assert f"More like" in out and f"({paper.id})" in out
    assert "Why this paper?" in out and "Saved to your reading list" in out
    assert "Reading list (1, 1 unread)" in out and "/read paper: <id>" in out
    assert "Marked read" in out and "BibTeX: 1 paper (0 unread)" in out
    saved = service.settings.data_dir / "exports" / "paperbot-reading-list.bib"
    assert f"saved paperbot-reading-list.bib" in out and saved.is_file()
    assert [e.fields_dict["eprint"].value for e in bibtexparser.parse_string(saved.read_text()).entries] == [paper.id]
    assert "What paperbot has learned about you" in out and "Are you sure?" in out
    assert "/profile reset confirm: yes" in out and "is not an arXiv link" in out
    assert service.topics(Target.user(1, 1)) == ["graph neural networks"]  # asked, not reset
    code, out = await run(service, "/profile reset confirm: yes\n")
    assert code == 0 and "forgot 1 topic" in out and service.topics(Target.user(1, 1)) == []
