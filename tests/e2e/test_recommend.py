"""/recommend, /search, /similar and /why against the emulator: options, papers by id, link or title, autocomplete."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from botkit import answer, custom_ids, start_bot

from recommender.service import PaperService

pytestmark = pytest.mark.e2e

BUTTONS = ["👍", "👎", "💾", "🔎"]


def embed_date(embed: dict) -> date:
    return date.fromisoformat(embed["footer"]["text"].split(" · ")[-2])


async def test_recommend_count_and_days_give_compact_embeds_with_buttons(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="graph neural networks"))
    reply = await answer(await fd.slash(fd.member, "general", "recommend", count=3, days=5))
    assert len(reply.embeds) == 3 and reply.content.startswith("🔍 Top 3 of ") and "5 days" in reply.content
    newest = service.index().newest()
    for embed in reply.embeds:
        assert embed["url"].startswith("https://arxiv.org/abs/")  # the linked title
        assert embed["description"].startswith("*") and f"{embed_date(embed):%d %b %Y}" in embed["description"]
        assert (newest - embed_date(embed)).days < 5
        assert embed["fields"][0]["name"] == "Why" and "graph neural networks" in embed["fields"][0]["value"]
        assert len(embed["description"]) < 400  # compact: no abstract
    rows = [[c["emoji"]["name"] for c in row["components"]] for row in reply.components]
    assert rows == [BUTTONS] * 3

    many = await answer(await fd.slash(fd.member, "general", "recommend", count=8))
    assert len(many.embeds) == 8
    assert custom_ids(many) == ["pb:pick:like", "pb:pick:dismiss", "pb:pick:save", "pb:pick:more"]
    with pytest.raises(ValueError, match="max_value=10"):
        await fd.slash(fd.member, "general", "recommend", count=11)
    with pytest.raises(ValueError, match="min_value=1"):
        await fd.slash(fd.member, "general", "recommend", days=0)


async def test_recommend_search_with_days_and_a_query_nothing_matches(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    reply = await answer(await fd.slash(fd.member, "general", "search", query="speech recognition", days=3))
    newest = service.index().newest()
    assert reply.embeds and all((newest - embed_date(e)).days < 3 for e in reply.embeds)
    assert "from the last 3 days" in reply.content and len(custom_ids(reply)) == 4 * len(reply.embeds)
    reply = await answer(await fd.slash(fd.member, "general", "search", query="qwzx plorkt"))
    assert "None of the words" in reply.content


async def test_recommend_similar_takes_ids_versions_links_and_titles(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    paper = service.search("graph neural networks", 1)[0].paper
    answers = []
    for given in (paper.id, f"{paper.id}v2", f"https://arxiv.org/abs/{paper.id}v1", f"https://arxiv.org/pdf/{paper.id}",
                  paper.title, paper.title.lower()):
        reply = await answer(await fd.slash(fd.member, "general", "similar", paper=given))
        assert f"(`{paper.id}`)" in reply.content, given
        answers.append([e["url"] for e in reply.embeds])
    assert all(a == answers[0] for a in answers) and len(answers[0]) == 5


async def test_recommend_unknown_papers_and_bad_links_get_clear_messages(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="graph neural networks"))
    for command, given, expected in (
        ("why", "9999.99999", "No paper `9999.99999`"),
        ("why", "2606.99999v3", "No paper `2606.99999v3`"),
        ("similar", "https://example.com/paper.pdf", "is not an arXiv link"),
        ("similar", "https://arxiv.org/abs/notanid", "is not an arXiv link"),
        ("why", "zzqx wvvy plorkt " * 17, "No paper"),
        ("like", "   ", "Give a paper"),
    ):
        reply = await answer(await fd.slash(fd.member, "general", command, paper=given))
        assert reply.content.startswith("⚠️") and expected in reply.content, (given, reply.content)
        assert len(reply.content) < 300  # a short prefix of what was typed, never all of it


async def test_recommend_ten_absurd_papers_and_title_autocomplete_fit_every_discord_limit(discord_harness, service: PaperService,
                                                                  tmp_path: Path) -> None:
    """Titles of thousands of characters, 500 authors: embeds, select options and autocomplete choices
    stay within Discord's limits (the emulator refuses anything beyond them and fails the test)."""
    fd = discord_harness.fd
    newest = service.index().newest()
    records = [{"id": f"2607.{n:05d}", "title": f"Quasicrystal lattice dynamics {n} " + "Ω very long title " * 300,
                "abstract": "Quasicrystal lattice dynamics " * 500, "authors": [f"Author {a} " * 20 for a in range(500)],
                "categories": ["cs.LG"], "published": newest.isoformat()} for n in range(1, 13)]
    records.append({"id": "2607.00042", "title": "Zygomorphic graph kernels " + "with a very long title " * 40,
                    "abstract": "Graph neural networks for zygomorphic flowers.", "authors": ["A. Author"],
                    "categories": ["cs.LG"], "published": newest.isoformat()})
    (tmp_path / "absurd.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert service.ingest_file(tmp_path / "absurd.jsonl").new == 13
    await start_bot(discord_harness, service)
    await answer(await fd.slash(fd.member, "general", "subscribe", topic="quasicrystal lattice dynamics"))
    reply = await answer(await fd.slash(fd.member, "general", "recommend", count=10))
    assert 1 <= len(reply.embeds) <= 10 and all(e["title"].endswith("…") for e in reply.embeds)
    options = reply.find_component("pb:pick:save")["options"] if len(reply.embeds) > 5 else []
    assert all(len(o["label"]) <= 100 for o in options)
    picked = [e["url"].rsplit("/", 1)[1] for e in reply.embeds]
    if options:
        saved = await answer(await fd.select(fd.member, reply, "pb:pick:save", picked[:3]))
    else:
        saved = await answer(await fd.click(fd.member, reply, f"pb:save:{picked[0]}"))
    assert saved.content.startswith("💾") and len(saved.content) <= 2000
    choices = await fd.autocomplete(fd.member, "general", "why", option="paper", value="quasicrystal")
    assert len(choices) == 12 and all(90 <= len(c["name"]) <= 100 and c["name"].endswith(")") for c in choices)
    library = await answer(await fd.slash(fd.member, "general", "library"))
    assert all(len(o["label"]) <= 100 for o in library.find_component("pb:lib:remove:1")["options"])

    # /why autocompletes titles within Discord's limits: names "Title… (id)", values the ids.
    offered = await fd.autocomplete(fd.member, "general", "why", option="paper", value="zygomorphic")
    assert offered == [{"name": offered[0]["name"], "value": "2607.00042"}]
    assert len(offered[0]["name"]) <= 100 and offered[0]["name"].endswith("… (2607.00042)")
    many = await fd.autocomplete(fd.member, "general", "why", option="paper", value="graph")
    assert len(many) == 25 and all(len(c["name"]) <= 100 for c in many)
    by_id = await fd.autocomplete(fd.member, "general", "similar", option="paper", value="2607.0004")
    assert "2607.00042" in [c["value"] for c in by_id]  # an id prefix that is itself a valid old-style id
    assert await fd.autocomplete(fd.member, "general", "why", option="paper", value="q" * 6000) == []
    own = await fd.autocomplete(fd.member, "general", "why", option="paper", value="")
    expected = set(picked[:3] if options else picked[:1])
    assert {c["value"] for c in own} == expected  # nothing typed: the reading list
    reply = await answer(await fd.slash(fd.member, "general", "why", paper=offered[0]["value"]))
    embed = reply.embeds[0]
    assert embed["author"]["name"] == "Why this paper?" and embed["url"] == "https://arxiv.org/abs/2607.00042"
    assert custom_ids(reply) == [f"pb:{k}:2607.00042" for k in ("like", "dismiss", "save", "more")]
