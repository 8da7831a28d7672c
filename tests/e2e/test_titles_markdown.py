"""Paper titles with Markdown or TeX show as their text; an empty digest promises no buttons."""

from __future__ import annotations

from datetime import date

import pytest
from botkit import answer, start_bot

from recommender.service import PaperService
from recommender.storage.models import Paper, Subscription
from recommender.views import Target

pytestmark = pytest.mark.e2e

TITLES = {
    "2401.90001": "*Stars* and A* search over graph_neural_networks with `code`",
    "2401.90002": r"Graph~Neural Networks for $\alpha$-divergences: \emph{100\% exact} -- fast",
}


def add_papers(service: PaperService) -> None:
    with service.db.session() as s:
        for pid, title in TITLES.items():
            s.add(Paper(id=pid, title=title, title_key=title.lower()[:300], abstract="A test abstract.",
                        authors=["Ada Lovelace"], categories=["cs.LG"], primary_category="cs.LG",
                        published=date(2024, 1, 5), source="arxiv", links={}))


async def test_library_titles_escape_markdown_and_tex(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    add_papers(service)
    reply = await answer(await fd.slash(fd.member, "general", "save", paper="2401.90001"))
    assert r"\*Stars\* and A\* search over graph\_neural\_networks with \`code\`" in reply.content
    reply = await answer(await fd.slash(fd.member, "general", "save", paper="2401.90002"))
    assert "Graph Neural Networks for α-divergences: 100% exact – fast" in reply.content
    assert "~" not in reply.content and "$" not in reply.content and "\\emph" not in reply.content

    listing = (await answer(await fd.slash(fd.member, "general", "library"))).embeds[0]["description"]
    assert r"\*Stars\* and A\* search" in listing and "Graph Neural Networks for α-divergences" in listing


async def test_digest_empty_footer_promises_no_buttons(discord_harness, service: PaperService) -> None:
    fd = discord_harness.fd
    await start_bot(discord_harness, service)
    papers = fd.channel("papers")
    service.configure_digest(fd.guild.id, channel_id=papers.id)
    with service.db.session() as s:  # a topic kept from before the library had papers: it matches none
        s.add(Subscription(target_kind="channel", target_id=papers.id, guild_id=fd.guild.id, topic="zqxvw", topic_key="zqxvw"))
    reply = await answer(await fd.slash(fd.admin, "general", "digest preview"))
    embed = reply.embeds[0]
    assert not reply.components and "zqxvw" in embed["footer"]["text"]
    assert "below" not in embed["footer"]["text"] and "👍" not in embed["footer"]["text"]
