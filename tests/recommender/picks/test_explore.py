"""Search, "more like this" and "why" on the demo corpus, and their clear errors."""

from __future__ import annotations

import re
from datetime import date

import pytest

from recommender.errors import PaperbotError, UnknownPaper
from recommender.service import PaperService
from recommender.views import Target

GNN = "graph neural networks"


def text(pick) -> str:  # type: ignore[no-untyped-def]
    return f"{pick.paper.title} {pick.paper.abstract}".lower()


def test_search_finds_papers_with_the_words_best_first(service: PaperService) -> None:
    hits = service.search(GNN, limit=5)
    assert len(hits) == 5 and all("graph" in text(h) for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(h.matched == f"search: {GNN}" and h.terms for h in hits)
    assert service.search("  graph   neural\tnetworks ", limit=5)[0].paper.id == hits[0].paper.id  # spaces tidied


@pytest.mark.parametrize(("query", "fragment"), [("", "Type something"), ("   ", "Type something"),
                                                  ("x" * 1000, "at most"), ("qwxzv zzyqx", "None of the words")])
def test_bad_searches_are_clear_errors(service: PaperService, query: str, fragment: str) -> None:
    with pytest.raises(PaperbotError, match=fragment):
        service.search(query)


def test_similar_papers_leave_the_paper_itself_out(service: PaperService) -> None:
    seed = service.search(GNN, limit=1)[0].paper
    shown, picks = service.similar(seed.id, limit=5)
    assert shown.id == seed.id and len(picks) == 5 and seed.id not in [p.paper.id for p in picks]
    assert all(p.matched.startswith("similar to ") for p in picks)
    assert sum("graph" in text(p) for p in picks) >= 3
    with pytest.raises(UnknownPaper):
        service.similar("2401.99999")


def test_why_compares_with_the_members_topics(service: PaperService) -> None:
    paper = service.search(GNN, limit=1)[0].paper
    with pytest.raises(PaperbotError, match="follow any topics"):
        service.why(1, paper.id)
    service.subscribe(Target.user(1), GNN)
    assert service.why(1, paper.id).matched == GNN


def test_an_empty_library_says_so(bare_service: PaperService) -> None:
    for attempt in (lambda: bare_service.search(GNN), lambda: bare_service.similar("2401.00001"),
                    lambda: bare_service.why(1, "2401.00001")):
        with pytest.raises(PaperbotError, match="library is empty"):
            attempt()


TOPIC = "machine unlearning"


def _member(service: PaperService, user: int, topic: str = TOPIC) -> None:
    service.subscribe(Target.user(user, 7), topic)


def test_why_agrees_with_recommend_for_the_top_papers(service: PaperService) -> None:
    service.settings.min_score = 0.0  # enough papers clear the bar for 15 picks
    _member(service, 1)
    shown = {r.paper.id for r in service.recommend(1).picks}
    deeper = service.recommend(1, limit=15).picks
    assert len(shown) == service.settings.recommend_size and len(deeper) == 15
    for rec in deeper:
        verdict = service.why(1, rec.paper.id).verdict
        assert verdict is not None
        assert verdict.picked == (rec.paper.id in shown), (rec.paper.id, verdict)
        assert verdict.reason == ("picked" if rec.paper.id in shown else "outranked")
        assert verdict.rank is not None and verdict.rank >= 1
    outranked = [r for r in deeper if r.paper.id not in shown]
    assert outranked and all(service.why(1, r.paper.id).verdict.rank > 1 for r in outranked)  # type: ignore[union-attr]


def test_why_on_a_dismissed_liked_or_saved_paper_says_so(service: PaperService) -> None:
    _member(service, 1)
    picks = service.recommend(1).picks
    for rec, kind, reason in zip(picks, ["dismiss", "like", "save"], ["dismissed", "liked", "saved"]):
        service.feedback(1, rec.paper.id, kind)
        verdict = service.why(1, rec.paper.id).verdict
        assert verdict is not None and not verdict.picked and verdict.reason == reason


def test_why_on_an_unrelated_paper_is_below_the_threshold(service: PaperService) -> None:
    _member(service, 1)
    unrelated = service.search("speech recognition acoustic", 1)[0]
    rec = service.why(1, unrelated.paper.id)
    assert rec.verdict is not None and rec.verdict.reason == "below_threshold" and not rec.verdict.picked
    assert rec.score <= service.settings.min_score
    assert rec.verdict.threshold == service.settings.min_score


def test_why_on_an_old_paper_says_it_is_outside_the_window(service: PaperService) -> None:
    _member(service, 1)
    service.settings.recommend_window_days = 5  # the demo corpus ends on 2026-07-01
    old = [r for r in service.search(TOPIC, 20) if r.paper.published and r.paper.published < date(2026, 6, 20)]
    assert old
    verdict = service.why(1, old[0].paper.id).verdict
    assert verdict is not None and verdict.reason == "outside_window"
    assert verdict.window_start == date(2026, 6, 27)
    assert all(r.paper.published >= date(2026, 6, 27) for r in service.recommend(1).picks)  # type: ignore[operator]


def test_why_on_a_paper_already_sent_in_a_digest(service: PaperService) -> None:
    _member(service, 1)
    service.settings.digest_lookback_days = 30
    draft = service.compose_personal_digests([(1, date(2026, 7, 1))])[0]
    assert draft.picks
    digest_id = service.claim_digest(draft)
    assert digest_id is not None
    service.mark_digest_sent(digest_id, None)
    verdict = service.why(1, draft.picks[0].paper.id).verdict
    assert verdict is not None and verdict.reason == "sent" and not verdict.picked


def test_topic_explanations_go_beyond_the_topic_and_are_written_in_the_paper(service: PaperService) -> None:
    for user, topic in enumerate(["domain adaptation", "few-shot object detection", TOPIC], start=1):
        _member(service, user, topic)
        own = set(re.findall(r"\w+", topic.lower()))
        for rec in service.recommend(user).picks:
            assert rec.terms, rec.paper.id
            text = " ".join(f"{rec.paper.title} {rec.paper.abstract}".lower().split())
            for term in rec.terms:
                assert not set(re.findall(r"\w+", term)) <= own, (topic, term)  # not the topic's own words again
                assert term in text, (rec.paper.id, term)  # as the paper writes it


def test_a_partial_match_says_which_words_it_matched(service: PaperService) -> None:
    _member(service, 1)
    hit = next(r for r in service.search("machine translation", 10) if "unlearn" not in r.paper.abstract.lower())
    rec = service.why(1, hit.paper.id)
    assert rec.matched == TOPIC and rec.matched_on == ["machine"]


def test_colleagues_likes_are_named(service: PaperService) -> None:
    paper = service.search(TOPIC, 1)[0].paper.id
    service.feedback(1, paper, "like")
    service.feedback(2, paper, "save")
    _member(service, 3)  # (the members' stored vectors going stale is engineer LIFECYCLE's, issue 9 item 1)
    rec = service.why(3, paper)
    assert rec.liked_by == 2
    picked = {r.paper.id: r for r in service.recommend(3).picks}
    assert paper in picked and picked[paper].liked_by == 2


def test_why_in_the_digest_agrees_with_the_channel_digest(service: PaperService) -> None:
    """`/digest why`: the channel digest's own topics, window, size and ledger."""
    with pytest.raises(PaperbotError, match="no digest channel"):
        service.why_in_digest(7, "2401.00001")
    service.configure_digest(7, channel_id=70, size=3)
    paper = service.search(TOPIC, 1)[0].paper.id
    with pytest.raises(PaperbotError, match="digest has no topics"):
        service.why_in_digest(7, paper)
    _member(service, 1)  # the channel follows its members' topics
    service.settings.digest_lookback_days = 30
    draft = service.compose_channel_digest(7, day=date(2026, 7, 1))
    assert len(draft.picks) == 3
    for rec in draft.picks:
        verdict = service.why_in_digest(7, rec.paper.id).verdict
        assert verdict is not None and verdict.picked and verdict.reason == "picked" and verdict.shown == 3
    unrelated = service.search("speech recognition acoustic", 1)[0].paper.id
    assert service.why_in_digest(7, unrelated).verdict.reason == "below_threshold"  # type: ignore[union-attr]
    digest_id = service.claim_digest(draft)
    assert digest_id is not None
    service.mark_digest_sent(digest_id, None)
    verdict = service.why_in_digest(7, draft.picks[0].paper.id).verdict
    assert verdict is not None and verdict.reason == "sent" and not verdict.picked
    assert service.why(1, draft.picks[0].paper.id).verdict.reason != "sent"  # type: ignore[union-attr]  # sent to the channel, not to member 1
