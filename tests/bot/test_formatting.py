"""Embeds stay within Discord's limits, however absurd the papers are."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import discord
import pytest

from bot import formatting
from bot.context import Invoker
from bot.exts.digest._delivery import digest_parts, digest_reply
from bot.registry import invoke
from recommender.service import PaperService
from recommender.views import DigestSettings, PaperView, Recommendation, Target

GNN = "graph neural networks"
Limits = Callable[..., list[str]]


def ctx(service: PaperService, user: int = 1) -> Invoker:
    return Invoker(service=service, user_id=user, guild_id=10, channel_id=20, can_manage_guild=True, guild_name="Lab " * 60)


async def test_recommend_reply_with_absurd_papers_fits(
    service: PaperService, absurd_papers: Callable[[int], list[str]], discord_limits: Limits
) -> None:
    ids = absurd_papers(5)
    assert "Subscribed" in (await invoke(ctx(service), "subscribe", topic=GNN + " everywhere")).content  # type: ignore[operator]
    reply = await invoke(ctx(service), "recommend")
    assert reply.embeds and {e.url for e in reply.embeds} & {f"https://arxiv.org/abs/{i}" for i in ids}
    assert discord_limits(reply.content, reply.embeds, reply.view) == []
    for embed in reply.embeds:
        assert len(embed.title or "") == formatting.TITLE_MAX and (embed.title or "").endswith("…")
        assert "et al. (500 authors)" in (embed.description or "")
        assert r"\*\*bold\*\*" in (embed.title or "")  # Markdown in titles is shown, not rendered
        assert "everywhere" not in (embed.description or "")  # compact: no abstract
    assert len(reply.embeds) == len(reply.view.children) // 4  # type: ignore[union-attr]


async def test_liked_paper_explanations_with_absurd_titles_fit(
    service: PaperService, absurd_papers: Callable[[int], list[str]], discord_limits: Limits
) -> None:
    first, *_ = absurd_papers(6)
    service.feedback(1, first, "like")
    reply = await invoke(ctx(service), "recommend")
    assert reply.embeds
    why = reply.embeds[0].fields[0].value
    assert "Most like “" in why and "…" in why
    assert discord_limits(reply.content, reply.embeds, reply.view) == []


def fake_pick(n: int, title: str = "", authors: int = 3) -> Recommendation:
    paper = PaperView(
        id=f"2607.{n:05d}", title=title or f"Paper {n}", abstract="x" * 50_000, authors=[f"A{i}" * 100 for i in range(authors)],
        categories=["cs.LG"] * 20, published=date(2026, 7, 1), version=None, links={"abs": f"https://arxiv.org/abs/2607.{n:05d}"},
    )
    return Recommendation(paper, 0.5, "t" * 100, ["term " * 20] * 4, paper)


async def test_digest_of_25_real_papers_fits(service: PaperService, discord_limits: Limits) -> None:
    service.subscribe(Target.user(1, 10), GNN)
    service.subscribe(Target.user(2, 10), "speech recognition")
    service.configure_digest(10, channel_id=20, size=25)
    draft = service.compose_channel_digest(10, day=date(2026, 7, 1))
    assert len(draft.picks) == 25
    shown: list[str] = []
    for _, reply in digest_parts(draft, "Lab " * 60, digest_id=1):  # every message within Discord's limits
        assert discord_limits(reply.content, reply.embeds, reply.view) == []
        description = reply.embeds[0].description or ""
        assert "more." not in description
        shown += re.findall(r"^\*\*(\d+)\. ", description, flags=re.M)
    assert shown == [str(n) for n in range(1, 26)]  # every paper is posted, numbered on across messages


async def test_digest_of_25_absurd_papers_fits(discord_limits: Limits) -> None:
    from recommender.views import DigestDraft

    picks = [fake_pick(n, title="T" * 1000) for n in range(1, 26)]
    draft = DigestDraft(Target.channel(20, 10), date(2026, 7, 1), picks, ["topic " * 16] * 25)
    parts = digest_parts(draft, "G" * 100, digest_id=1)
    shown = 0
    for _, reply in parts:  # more messages, each within the limits
        assert discord_limits(reply.content, reply.embeds, reply.view) == []
        shown += len(re.findall(r"^\*\*(\d+)\. ", reply.embeds[0].description or "", flags=re.M))
    assert shown == 25 and len(parts) > 3
    assert "and 15 more" in (parts[0][1].embeds[0].footer.text or "")  # 25 topics: 10 named


async def test_empty_digest_shows_the_note(discord_limits: Limits) -> None:
    from recommender.views import DigestDraft

    draft = DigestDraft(Target.user(1), date(2026, 7, 1), [], [], note="No topics to match yet.")
    reply = digest_reply(draft)
    assert reply.embeds[0].description == "No topics to match yet." and reply.view is None
    assert reply.embeds[0].title == "📬 Your paper picks — Wed 01 Jul 2026"
    assert discord_limits(reply.content, reply.embeds) == []


def test_fit_embeds_keeps_within_count_and_total() -> None:
    embeds = [formatting.recommendation_embed(fake_pick(n, title="T" * 1000, authors=500), n) for n in range(1, 15)]
    kept = formatting.fit_embeds(embeds)
    assert 1 <= len(kept) <= formatting.EMBEDS_PER_MESSAGE
    assert formatting.embeds_size(kept) <= formatting.EMBED_TOTAL_MAX
    assert kept == embeds[: len(kept)]  # the best picks stay, in order


async def test_other_embeds_fit(discord_limits: Limits) -> None:
    papers = [fake_pick(n, title="R" * 1000).paper for n in range(1, 200)]
    assert discord_limits(None, [formatting.reading_list_embed(papers)]) == []
    assert formatting.reading_list_embed(papers).title == "📚 Reading list (199)"
    assert discord_limits(None, [formatting.topics_embed(["x" * 100] * 25)]) == []
    assert discord_limits(None, [formatting.paper_embed(papers[0], heading="H" * 1000)]) == []
    conf = DigestSettings(10, 20, "08:00", "America/Argentina/ComodRivadavia", "mon,tue,wed,thu,fri", 25, True)
    assert discord_limits(None, [formatting.settings_embed(conf, "<#20>")]) == []


async def test_help_and_stats_fit(service: PaperService, discord_limits: Limits) -> None:
    for name in ("help", "stats"):
        reply = await invoke(ctx(service), name)
        assert discord_limits(reply.content, reply.embeds, reply.view) == []
    embeds = (await invoke(ctx(service), "help")).embeds
    help_text = "\n".join(e.description or "" for e in embeds)
    assert "`/subscribe <topic>`" in help_text and "`/digest channel <channel>`" in help_text
    assert embeds[0].title == "paperbot commands" and "optional" in (embeds[-1].footer.text or "")
    assert "…" not in help_text, "every command in full, over several embeds if need be"


def test_truncate_and_authors() -> None:
    assert formatting.truncate("abc", 3) == "abc"
    assert formatting.truncate("abcd", 3) == "ab…"
    assert formatting.authors_line([]) == "Unknown authors"
    assert formatting.authors_line(["A", "B", "C"]) == "A, B, C"
    assert formatting.authors_line(["A", "B", "C", "D"]) == "A, B, C et al. (4 authors)"


def test_recommendation_embed_payload() -> None:
    data = formatting.recommendation_embed(fake_pick(1), 3).to_dict()
    assert data["title"] == "3. Paper 1" and data["url"] == "https://arxiv.org/abs/2607.00001"
    assert data["fields"][0]["name"] == "Why" and data["fields"][0]["value"].startswith("Matches **" + "t" * 100)
    assert data["footer"]["text"].startswith("2607.00001 · cs.LG cs.LG cs.LG · 2026-07-01 · match 39/100")


async def test_the_limit_checker_itself_catches_overflows(discord_limits: Limits) -> None:
    # Guard against a checker that can't fail: each broken limit is reported.
    too_long = discord.Embed(title="t" * 257, description="d" * 4097)
    too_long.add_field(name="n", value="v" * 1025)
    too_long.set_footer(text="f" * 2049)
    problems = discord_limits("c" * 2001, [too_long])
    assert len(problems) == 6, problems
    many = [discord.Embed(description="d" * 4000) for _ in range(11)]
    assert any("11 embeds" in p for p in discord_limits(None, many))
    assert any("total" in p for p in discord_limits(None, many))
    view = discord.ui.View()
    view.add_item(discord.ui.Button(label="x", custom_id="c" * 101))
    assert discord_limits(None, [], view) == ["custom id of 101 characters"]


@pytest.mark.parametrize(("raw", "shown"), [
    ("*Stars* and A* search", "*Stars* and A* search"),
    ("Graph~Neural  Networks", "Graph Neural Networks"),
    (r"The $\alpha$-divergence: \emph{exact} -- 100\% fast", "The α-divergence: exact – 100% fast"),
    ("100% accurate $k$-means", "100% accurate k-means"),  # a bare % is a percent sign, not a TeX comment
    ("Plain title, no TeX", "Plain title, no TeX"),
])
def test_plain_title_undoes_simple_tex(raw: str, shown: str) -> None:
    assert formatting.plain_title(raw) == shown


def test_titles_are_escaped_wherever_they_are_shown() -> None:
    pick = fake_pick(1, title="*Stars* and A* search over graph_nets with `code`~x")
    escaped = r"\*Stars\* and A\* search over graph\_nets with \`code\` x"
    assert formatting.recommendation_embed(pick, 1).title == f"1. {escaped}"
    assert formatting.paper_embed(pick.paper).title == escaped
    assert escaped in formatting.digest_entry(pick, 1)
    assert escaped in (formatting.reading_list_embed([pick.paper]).description or "")


def test_empty_digest_footer_mentions_no_buttons() -> None:
    from recommender.views import DigestDraft

    empty = formatting.digest_embed(DigestDraft(Target.channel(20, 10), date(2026, 7, 1), [], ["gnn"]), "Digest")
    assert empty.footer.text == "Topics: gnn"
    full = formatting.digest_embed(DigestDraft(Target.channel(20, 10), date(2026, 7, 1), [fake_pick(1)], ["gnn"]), "D")
    assert "👍 👎 💾 🔎 below" in (full.footer.text or "")


def test_why_plain_names_the_match_the_terms_the_liked_paper_and_colleagues() -> None:
    liked = PaperView("2401.00009", "Message passing", "", [], [], None, None, {})
    rec = Recommendation(liked, 0.5, "graph neural networks")
    assert formatting.why_plain(rec) == "matches graph neural networks"
    rec = Recommendation(liked, 0.5, "papers you liked", ["graph", "message passing"], liked, liked_by=3)
    assert formatting.why_plain(rec) == (
        "matches papers you liked; terms: graph, message passing; "
        "most like “Message passing”, which you liked; liked or saved by 3 other members"
    )


async def test_thread_cards_and_header_of_absurd_papers_fit(discord_limits: Limits) -> None:
    from bot.exts.digest._delivery import card_parts
    from recommender.views import DigestDraft

    picks = [fake_pick(n, title="T*" * 600, authors=500) for n in range(1, 11)]
    draft = DigestDraft(Target.channel(20, 10), date(2026, 11, 24), picks, ["topic*" * 20] * 25)
    parts = card_parts(draft, digest_id=1, first=1)
    assert [len(reply.embeds) for _, reply in parts] == [5, 5]
    for _, reply in parts:  # five cards and five rows of buttons a message, within Discord's limits
        assert discord_limits(reply.content, reply.embeds, reply.view) == []
    second = parts[1][1]
    assert (second.embeds[0].title or "").startswith("6. ") and second.view.children[0].item.label == "6 · Like"  # type: ignore[union-attr, attr-defined]
    header = formatting.digest_header(draft, "<#20>", 10)
    assert header.startswith("📰 **10 new papers** for <#20>, Tue 24 Nov\nTopics: topic\\*")
    assert len(header) <= formatting.CONTENT_MAX and "and 15 more" in header
    assert formatting.digest_header(draft, "<#20>", 1).startswith("📰 **1 new paper** for")
    empty = DigestDraft(Target.channel(20, 10), date(2026, 11, 28), [], [], note="No new papers today (weekend).")
    assert formatting.digest_header(empty, "<#20>", 0) == "📰 <#20>, Sat 28 Nov: No new papers today (weekend)."
    assert 1 <= len(formatting.thread_name(date(2026, 9, 30))) <= 100


async def test_a_weekly_digest_says_it_is_the_weeks_in_its_header_thread_and_title() -> None:
    from bot.exts.digest._delivery import header_reply
    from recommender.views import DigestDraft

    picks = [fake_pick(n) for n in range(1, 35)]
    draft = DigestDraft(Target.channel(20, 10), date(2026, 11, 26), picks, ["gnn*"], cadence="weekly")  # a Thursday
    header = await header_reply(None, draft, "<#20>", 34, digest_id=7)  # type: ignore[arg-type]
    assert header.content == "📰 **34 new papers this week** for <#20>, week of Mon 23 Nov\n" \
                             "Topics: gnn\\* · 👍 💾 ✖ under each paper tune your own picks"
    assert header.nonce == "pb7-head" and not header.ephemeral
    assert formatting.thread_name(draft.day, weekly=True) == "Papers of the week of Mon 23 Nov 2026"
    assert digest_parts(draft, "Lab")[0][1].embeds[0].title == "📰 Papers of the week for Lab — week of Mon 23 Nov 2026"
    personal = DigestDraft(Target.user(1), date(2026, 11, 29), picks[:3], [], cadence="weekly")  # a Sunday
    assert digest_parts(personal)[0][1].embeds[0].title == "📬 Your papers of the week — week of Mon 23 Nov 2026"
    empty = DigestDraft(Target.channel(20, 10), date(2026, 11, 23), [], [], note="No new papers for your topics this week.",
                        cadence="weekly")
    assert formatting.weekly_digest_header(empty, "<#20>", 0) == \
        "📰 <#20>, week of Mon 23 Nov: No new papers for your topics this week."
    daily = DigestDraft(Target.channel(20, 10), date(2026, 11, 26), picks[:2], [])
    assert (await header_reply(None, daily, "<#20>", 2, digest_id=7)).content == "📰 **2 new papers** for <#20>, Thu 26 Nov"  # type: ignore[arg-type]
async def test_cards_and_lists_of_discussed_absurd_papers_fit(discord_limits: Limits) -> None:
    from dataclasses import replace

    from bot.exts.digest._delivery import card_parts
    from recommender.views import DigestDraft, Discussed

    talk = Discussed(thread_id=2**63 - 1, messages=10**9)  # the longest a snowflake and a count get
    picks = [replace(fake_pick(n, title="T*" * 600, authors=500), discussion=talk) for n in range(1, 26)]
    draft = DigestDraft(Target.channel(20, 10), date(2026, 11, 24), picks, ["topic*" * 20] * 25)
    for _, reply in card_parts(replace(draft, picks=picks[:10]), digest_id=1) + digest_parts(draft, "G" * 100, 1):
        assert discord_limits(reply.content, reply.embeds, reply.view) == []
        assert f"💬 {10**9} in <#{2**63 - 1}>" in (reply.embeds[0].description or "")
    card = formatting.recommendation_embed(picks[0], 1)
    assert (card.description or "").endswith(f"\n💬 {10**9} in <#{2**63 - 1}>")
    assert formatting.discussion_text(None) == "" and "💬" not in (formatting.paper_card(fake_pick(1), 1).description or "")
