"""Channel and personal digests: composing, claiming (never twice), failures, notes."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from recommender.errors import PaperbotError
from recommender.service import PaperService
from recommender.storage.models import Digest, DigestItem
from recommender.views import Target

GUILD, CHANNEL = 900, 901
DAY = date(2026, 7, 1)
GNN, SPEECH = "graph neural networks", "speech recognition"


def mentions(text: str, word: str) -> bool:
    return re.search(rf"\b{word}", text.lower()) is not None


def items(service: PaperService, digest_id: int) -> list[str]:
    with service.db.session() as s:
        return list(s.scalars(select(DigestItem.paper_id).where(DigestItem.digest_id == digest_id).order_by(DigestItem.rank)))


def digest_rows(service: PaperService) -> list[tuple[str, int, date, str]]:
    with service.db.session() as s:
        return [tuple(r) for r in s.execute(select(Digest.target_kind, Digest.target_id, Digest.day, Digest.status))]


@pytest.fixture
def members(service: PaperService) -> PaperService:
    """Two members of GUILD with different topics, one member of another server."""
    service.subscribe(Target.user(1, GUILD), GNN)
    service.subscribe(Target.user(2, GUILD), SPEECH)
    service.subscribe(Target.user(3, GUILD + 1), "protein structure")
    service.configure_digest(GUILD, channel_id=CHANNEL)
    return service


def test_channel_digest_is_composed_from_the_members_topics(members: PaperService) -> None:
    draft = members.compose_channel_digest(GUILD, day=DAY)
    assert draft.target == Target.channel(CHANNEL, GUILD) and draft.day == DAY
    assert draft.topics == [GNN, SPEECH]  # not the other server's member's topic
    assert len(draft.picks) == members.settings.digest_size
    assert {r.matched for r in draft.picks} == {GNN, SPEECH}
    texts = {rec.paper.id: f"{rec.paper.title} {rec.paper.abstract}" for rec in draft.picks}
    for rec in draft.picks:
        if rec.matched == SPEECH:
            assert mentions(texts[rec.paper.id], "speech"), rec.paper.title
        else:
            assert mentions(texts[rec.paper.id], "graph") or mentions(texts[rec.paper.id], "neural"), rec.paper.title
    assert sum(mentions(texts[r.paper.id], "graph") for r in draft.picks if r.matched == GNN) >= 2
    # Recent papers only: within the lookback window of the newest paper.
    newest = max(r.paper.published for r in draft.picks if r.paper.published)
    assert all((newest - r.paper.published).days < members.settings.digest_lookback_days for r in draft.picks)
    # The same digest, found through the channel.
    assert [r.paper.id for r in members.compose_digest_for_channel(CHANNEL, day=DAY).picks] == [r.paper.id for r in draft.picks]


def test_channel_topics_replace_the_members_topics(members: PaperService) -> None:
    members.subscribe(Target.channel(CHANNEL, GUILD), "reinforcement learning")
    draft = members.compose_channel_digest(GUILD, day=DAY)
    assert draft.topics == ["reinforcement learning"]
    assert all(r.matched == "reinforcement learning" for r in draft.picks)


def test_digest_size_follows_the_server_setting(members: PaperService) -> None:
    members.configure_digest(GUILD, size=3)
    assert len(members.compose_channel_digest(GUILD, day=DAY).picks) == 3


def test_a_digest_is_claimed_once(members: PaperService) -> None:
    draft = members.compose_channel_digest(GUILD, day=DAY)
    digest_id = members.claim_digest(draft)
    assert digest_id is not None
    assert items(members, digest_id) == [r.paper.id for r in draft.picks]
    assert members.claim_digest(draft) is None  # claimed, maybe posted: never again
    members.mark_digest_sent(digest_id, message_id=123)
    assert members.claim_digest(members.compose_channel_digest(GUILD, day=DAY)) is None
    assert digest_rows(members) == [("channel", CHANNEL, DAY, "sent")]
    assert members.stats()["digests_sent"] == 1


def test_the_next_day_brings_other_papers(members: PaperService) -> None:
    first = members.compose_channel_digest(GUILD, day=DAY)
    members.mark_digest_sent(members.claim_digest(first), None)  # type: ignore[arg-type]
    second = members.compose_channel_digest(GUILD, day=date(2026, 7, 2))
    assert second.picks
    assert not {r.paper.id for r in first.picks} & {r.paper.id for r in second.picks}
    assert members.claim_digest(second) is not None


def test_a_failed_delivery_frees_its_papers(members: PaperService) -> None:
    draft = members.compose_channel_digest(GUILD, day=DAY)
    digest_id = members.claim_digest(draft)
    assert digest_id is not None
    members.mark_digest_failed(digest_id, "Missing Access " * 500)
    assert items(members, digest_id) == [r.paper.id for r in draft.picks]  # still planned, not sent
    assert digest_rows(members) == [("channel", CHANNEL, DAY, "failed")]
    with members.db.session() as s:
        assert len(s.get(Digest, digest_id).error) == 2000  # capped

    retry = members.compose_channel_digest(GUILD, day=DAY)
    assert [r.paper.id for r in retry.picks] == [r.paper.id for r in draft.picks]  # the papers are free again
    assert members.claim_digest(retry) == digest_id  # the same day's slot is reused
    assert digest_rows(members) == [("channel", CHANNEL, DAY, "claimed")]
    assert len(items(members, digest_id)) == len(retry.picks)


def test_no_topics_note(service: PaperService) -> None:
    service.configure_digest(GUILD, channel_id=CHANNEL)
    draft = service.compose_channel_digest(GUILD, day=DAY)
    assert draft.picks == [] and draft.topics == []
    assert draft.note is not None and "No topics" in draft.note and "/subscribe" in draft.note


def test_no_new_papers_note_gives_the_reason(members: PaperService, tmp_path: Path) -> None:
    picky = PaperService(members.settings.model_copy(update={"min_score": 10.0}), members.db)
    draft = picky.compose_channel_digest(GUILD, day=DAY)
    assert draft.picks == [] and draft.note == "No new papers for your topics today."
    # After an ingestion that found nothing, the note says so.
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    picky.ingest_file(empty)
    assert picky.compose_channel_digest(GUILD, day=DAY).note == "No new papers for your topics today (no records)."


def test_everything_already_delivered_gives_the_no_new_papers_note(bare_service: PaperService, tmp_path: Path) -> None:
    # A tiny library: both papers on the members' topic go out on day one.
    papers = [
        {"id": "2607.00041", "title": "Quokka husbandry", "abstract": "Quokka care.", "published": "2026-07-01"},
        {"id": "2607.00042", "title": "Quokka husbandry at scale", "abstract": "More quokkas.", "published": "2026-07-01"},
        {"id": "2607.00043", "title": "Lattice QCD", "abstract": "Gauge theory on a lattice.", "published": "2026-07-01"},
    ]
    (tmp_path / "q.jsonl").write_text("".join(json.dumps(p) + "\n" for p in papers))
    bare_service.ingest_file(tmp_path / "q.jsonl")
    bare_service.subscribe(Target.user(1, GUILD), "quokka husbandry")
    bare_service.configure_digest(GUILD, channel_id=CHANNEL)
    day_one = bare_service.compose_channel_digest(GUILD, day=DAY)
    assert {r.paper.id for r in day_one.picks} == {"2607.00041", "2607.00042"}
    bare_service.mark_digest_sent(bare_service.claim_digest(day_one), None)  # type: ignore[arg-type]
    day_two = bare_service.compose_channel_digest(GUILD, day=date(2026, 7, 2))
    assert day_two.picks == [] and day_two.note == "No new papers for your topics today."


def test_channel_without_digest_settings(service: PaperService) -> None:
    with pytest.raises(PaperbotError, match="/digest channel"):
        service.compose_channel_digest(GUILD)


def test_personal_digest(service: PaperService) -> None:
    service.subscribe(Target.user(5), GNN)
    draft = service.compose_personal_digests([(5, DAY)])[0]
    assert draft.target == Target.user(5) and draft.topics == [GNN]
    assert len(draft.picks) == service.settings.digest_size
    digest_id = service.claim_digest(draft)
    assert digest_id is not None and service.claim_digest(draft) is None
    service.mark_digest_sent(digest_id, None)  # papers count as sent once posted
    assert not {r.paper.id for r in draft.picks} & {r.paper.id for r in service.recommend(5, limit=10).picks}
    # A channel digest of the same day is a different target.
    service.configure_digest(GUILD, channel_id=CHANNEL)
    service.subscribe(Target.user(6, GUILD), GNN)
    assert service.claim_digest(service.compose_channel_digest(GUILD, day=DAY)) is not None


def test_digest_as_dict_is_json(members: PaperService) -> None:
    data = json.loads(json.dumps(members.compose_channel_digest(GUILD, day=DAY).as_dict()))
    assert data["day"] == "2026-07-01" and data["target"] == {"kind": "channel", "id": CHANNEL, "guild_id": GUILD}
    assert len(data["papers"]) == members.settings.digest_size
    assert {"id", "title", "url", "score", "matched", "terms"} <= set(data["papers"][0])




def test_stored_digest_counts(members: PaperService) -> None:
    members.claim_digest(members.compose_channel_digest(GUILD, day=DAY))
    with members.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Digest)) == 1
        assert s.scalar(select(func.count()).select_from(DigestItem)) == members.settings.digest_size
    assert members.stats()["digests_sent"] == 0  # claimed, not sent


def add_paper(service: PaperService, pid: str, categories: list[str], sources: list[str]) -> None:
    from recommender.storage.models import Paper, PaperSource

    with service.db.session() as s:
        s.add(Paper(id=pid, title=pid, title_key=pid, categories=categories, source=(sources or ["file"])[0]))
        for source in sources:
            s.add(PaperSource(paper_id=pid, source=source, external_id=pid, upvotes=3 if source == "hf" else None))


def test_outside_sources_keeps_the_servers_categories_and_hugging_face(bare_service: PaperService) -> None:
    from recommender.picks.digests import outside_sources

    add_paper(bare_service, "lg", ["cs.LG", "stat.ML"], ["arxiv"])
    add_paper(bare_service, "ml-cross", ["stat.ML", "cs.LG"], [])  # cross-listed into cs.LG, from a file
    add_paper(bare_service, "cv", ["cs.CV"], ["arxiv"])
    add_paper(bare_service, "cv-hf", ["cs.CV"], ["arxiv", "hf"])  # on arXiv and on Hugging Face
    add_paper(bare_service, "hf-only", [], ["hf"])
    ids = ["lg", "ml-cross", "cv", "cv-hf", "hf-only"]
    with bare_service.db.session() as s:
        assert outside_sources(s, ids, None, True) == set()  # no /sources: everything
        assert outside_sources(s, ids, None, False) == {"hf-only"}
        assert outside_sources(s, ids, ("cs.LG",), True) == {"cv"}
        assert outside_sources(s, ids, ("cs.LG",), False) == {"cv", "cv-hf", "hf-only"}
        assert outside_sources(s, ids, ("cs.CV", "math.PR"), False) == {"lg", "ml-cross", "hf-only"}


def test_a_channel_digest_only_draws_on_the_servers_sources(members: PaperService) -> None:
    everything = members.compose_channel_digest(GUILD, day=DAY)
    assert any("cs.LG" not in r.paper.categories for r in everything.picks)
    members.set_sources(GUILD, categories="cs.lg")
    draft = members.compose_channel_digest(GUILD, day=DAY)
    assert draft.picks and all("cs.LG" in r.paper.categories for r in draft.picks)
    # Another server's sources change nothing here; the members' DM digests are theirs.
    members.set_sources(GUILD + 1, categories="math.PR")
    assert [r.paper.id for r in members.compose_channel_digest(GUILD, day=DAY).picks] == [r.paper.id for r in draft.picks]
    members.set_sources(GUILD, categories="all")
    assert [r.paper.id for r in members.compose_channel_digest(GUILD, day=DAY).picks] == [
        r.paper.id for r in everything.picks]


def test_a_weekly_digest_ranks_the_weeks_papers_and_skips_what_was_sent(members: PaperService) -> None:
    daily = members.compose_channel_digest(GUILD, day=DAY)
    assert daily.cadence == "daily" and daily.period == DAY  # the default: existing servers are unaffected
    members.mark_digest_sent(members.claim_digest(daily), None)  # type: ignore[arg-type]
    conf = members.configure_digest(GUILD, cadence="weekly", day="fri", size=25)
    assert (conf.cadence, conf.week_day, conf.weekdays) == ("weekly", "fri", "mon-fri")
    friday = date(2026, 7, 3)
    weekly = members.compose_channel_digest(GUILD, day=friday)
    assert (weekly.cadence, weekly.period) == ("weekly", date(2026, 6, 29))  # keyed by its ISO week's Monday
    assert weekly.candidates > daily.candidates  # seven days of papers, not three
    newest = max(r.paper.published for r in weekly.picks if r.paper.published)
    ages = [(newest - r.paper.published).days for r in weekly.picks if r.paper.published]
    assert max(ages) < 7 and max(ages) >= members.settings.digest_lookback_days  # papers the daily could not reach
    assert not {r.paper.id for r in daily.picks} & {r.paper.id for r in weekly.picks}  # sent papers never repeat
    assert members.compose_channel_digest(GUILD, day=friday, cadence="daily").cadence == "daily"  # a retry's own
    digest_id = members.claim_digest(weekly)
    assert digest_id is not None and members.claim_digest(members.compose_channel_digest(GUILD, day=DAY)) is None
    assert digest_rows(members)[-1] == ("channel", CHANNEL, friday, "claimed")


def test_a_weekly_digest_says_so_when_the_week_had_nothing(bare_service: PaperService) -> None:
    bare_service.subscribe(Target.user(1, GUILD), GNN)
    bare_service.configure_digest(GUILD, channel_id=CHANNEL, cadence="weekly")
    draft = bare_service.compose_channel_digest(GUILD, day=DAY)
    assert draft.weekly and not draft.picks and draft.note == "No new papers for your topics this week."
def test_a_channel_digest_never_carries_what_the_channel_muted(members: PaperService) -> None:
    before = members.compose_channel_digest(GUILD, day=DAY).picks
    speech = [r for r in before if r.matched == SPEECH]
    assert speech, "the members' speech topic brings speech papers"
    members.mute(2, "keyword", "speech")  # a member's own mute changes only their own picks
    assert [r.paper.id for r in members.compose_channel_digest(GUILD, day=DAY).picks] == [r.paper.id for r in before]

    members.channel_mute(GUILD, "keyword", "speech")
    members.channel_mute(GUILD, "category", before[0].paper.categories[0])
    after = members.compose_channel_digest(GUILD, day=DAY).picks
    assert len(after) == members.settings.digest_size, "the digest is filled from the papers left"
    for rec in after:
        assert not mentions(f"{rec.paper.title} {rec.paper.abstract}", "speech"), rec.paper.title
        assert before[0].paper.categories[0] not in rec.paper.categories
    assert members.compose_digest_for_channel(CHANNEL, day=DAY).picks == after  # the scheduled path too
