"""Recommender sanity on the real papers of the bundled demo corpus.

No expected titles are written down here: every assertion checks the picks
against the papers' own text or against the index.
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pytest
from sqlalchemy import func, select

from recommender.members.inputs import LIKES_LABEL
from recommender.ranking.text import InvalidTopic, paper_text
from recommender.service import PaperService
from recommender.storage.models import Paper
from recommender.views import PaperView, Recommendation, Target

USER = 77
GNN = "graph neural networks"
SPEECH = "speech recognition"


def text_of(paper: PaperView) -> str:
    return f"{paper.title} {paper.abstract}".lower()


def mentions(paper: PaperView, *words: str) -> bool:
    text = text_of(paper)
    return any(re.search(rf"\b{w}", text) for w in words)


def grams(service: PaperService, text: str) -> set[str]:
    """The terms the index's own analyzer finds in a text."""
    index = service.index()
    assert index is not None
    return set(index.vectorizer.build_analyzer()(text))


def cosine(service: PaperService, a: str, b: str) -> float:
    index = service.index()
    assert index is not None
    ra, rb = index.row[a], index.row[b]
    return float((index.matrix[ra] @ index.matrix[rb].T).toarray()[0, 0])


def test_graph_neural_networks_puts_graph_papers_on_top(service: PaperService) -> None:
    service.subscribe(Target.user(USER), GNN)
    result = service.recommend(USER)
    picks = result.picks
    assert len(picks) == service.settings.recommend_size == 5
    on_graphs = [r for r in picks if mentions(r.paper, "graph", "gnn")]
    assert len(on_graphs) >= 4, [r.paper.title for r in picks]
    assert all(r.matched == GNN for r in picks)
    assert picks[0].score == max(r.score for r in picks)  # the best match leads (the rest may be diversified)
    assert all(r.score > service.settings.min_score for r in picks)
    assert result.candidates == service.stats()["papers"]  # the whole demo corpus is recent enough
    assert result.note is None


def test_explanation_terms_occur_in_the_paper_and_the_topic(service: PaperService) -> None:
    service.subscribe(Target.user(USER), GNN)
    service.subscribe(Target.user(USER), SPEECH)
    picks = service.recommend(USER, limit=10).picks
    assert picks
    for rec in picks:
        assert rec.terms, rec.paper.title
        in_paper = grams(service, paper_text(rec.paper.title, rec.paper.abstract))
        in_topic = grams(service, rec.matched)
        for term in rec.terms:  # as the paper writes it ("zero-shot"), beyond the topic's own words
            assert term.replace("-", " ") in in_paper, (term, rec.paper.title)
            assert not set(term.replace("-", " ").split()) <= {w for g in in_topic for w in g.split()}, (term, rec.matched)
        assert rec.matched in (GNN, SPEECH), rec.matched


def test_a_second_unrelated_topic_gets_its_own_picks(service: PaperService) -> None:
    service.subscribe(Target.user(USER), GNN)
    service.subscribe(Target.user(USER), SPEECH)
    picks = service.recommend(USER, limit=10).picks
    by_topic: dict[str, list[Recommendation]] = {}
    for rec in picks:
        by_topic.setdefault(rec.matched, []).append(rec)
    assert set(by_topic) == {GNN, SPEECH}
    assert len(by_topic[SPEECH]) >= 3
    assert all(mentions(r.paper, "speech") for r in by_topic[SPEECH]), [r.paper.title for r in by_topic[SPEECH]]
    assert sum(mentions(r.paper, "graph", "gnn") for r in by_topic[GNN]) >= len(by_topic[GNN]) - 1
    # Each pick is labelled with the topic it matched, its terms come from that topic,
    # and it clears the relevance threshold.
    index = service.index()
    assert index is not None
    vectors = dict(zip((GNN, SPEECH), index.embed([GNN, SPEECH])))
    for rec in picks:
        row = index.matrix[index.row[rec.paper.id]]
        sims = {t: float((v @ row.T).toarray()[0, 0]) for t, v in vectors.items()}
        assert sims[rec.matched] > 0
        assert rec.terms and not any(set(t.split()) <= set(rec.matched.lower().split()) for t in rec.terms)
        assert rec.score > service.settings.min_score


def test_topic_option_limits_picks_to_that_topic(service: PaperService) -> None:
    service.subscribe(Target.user(USER), GNN)
    picks = service.recommend(USER, topic="  Speech   Recognition ").picks
    assert picks and all(r.matched == "Speech Recognition" for r in picks)
    assert all(mentions(r.paper, "speech") for r in picks)
    with pytest.raises(InvalidTopic):
        service.recommend(USER, topic="x" * 10_000)


def test_liked_papers_bring_their_neighbours_with_an_explanation(service: PaperService) -> None:
    seed = service.recommend(USER, topic=GNN).picks[0].paper  # a real GNN paper
    service.feedback(USER, seed.id, "like")
    result = service.recommend(USER)  # no topics: the likes alone drive the picks
    picks = result.picks
    assert len(picks) == 5
    assert seed.id not in {r.paper.id for r in picks}  # not recommended back
    for rec in picks:
        assert rec.matched == LIKES_LABEL
        assert rec.similar_to is not None and rec.similar_to.id == seed.id
        assert rec.similar_to.title == seed.title
        shared = grams(service, paper_text(seed.title, seed.abstract))
        assert rec.terms and {t.replace("-", " ") for t in rec.terms} <= shared  # as written: "graph-based"
    # The neighbours really are the nearest papers: more similar than 99% of the corpus.
    index = service.index()
    assert index is not None
    all_sims = (index.matrix @ index.matrix[index.row[seed.id]].T).toarray().ravel()
    threshold = np.quantile(all_sims, 0.99)
    assert all(cosine(service, seed.id, r.paper.id) >= threshold for r in picks)


def test_each_liked_pick_names_its_closest_liked_paper(service: PaperService) -> None:
    gnn = service.recommend(USER, topic=GNN).picks[0].paper
    speech = service.recommend(USER, topic=SPEECH).picks[0].paper
    service.feedback(USER, gnn.id, "like")
    service.feedback(USER, speech.id, "save")  # a save counts as interest too
    picks = service.recommend(USER, limit=10).picks
    assert picks and all(r.matched == LIKES_LABEL for r in picks)
    names = {r.similar_to.id for r in picks if r.similar_to}
    assert names == {gnn.id, speech.id}
    for rec in picks:
        to_gnn, to_speech = cosine(service, rec.paper.id, gnn.id), cosine(service, rec.paper.id, speech.id)
        assert rec.similar_to is not None
        assert rec.similar_to.id == (gnn.id if to_gnn >= to_speech else speech.id)


def test_topic_option_leaves_likes_out(service: PaperService) -> None:
    liked = service.recommend(USER, topic=GNN).picks[0].paper
    service.feedback(USER, liked.id, "like")
    assert {r.matched for r in service.recommend(USER).picks} == {LIKES_LABEL}
    # --topic is about that topic only: the likes stay out of it (but stay excluded).
    picks = service.recommend(USER, topic=GNN, limit=10).picks
    assert {r.matched for r in picks} == {GNN}
    assert liked.id not in {r.paper.id for r in picks}


def test_dismissed_papers_are_excluded_and_their_neighbours_sink(service: PaperService) -> None:
    service.subscribe(Target.user(USER), GNN)
    before = service.recommend(USER, limit=10).picks
    dismissed = before[0].paper.id
    service.feedback(USER, dismissed, "dismiss")
    after = {r.paper.id: r.score for r in service.recommend(USER, limit=10).picks}
    assert dismissed not in after
    # A paper like the dismissed one scores lower than it did.
    for rec in before[1:]:
        if rec.paper.id in after and cosine(service, dismissed, rec.paper.id) > 0.05:
            assert after[rec.paper.id] < rec.score
            break
    else:
        pytest.fail("no pick was similar to the dismissed paper")


def test_saved_and_liked_papers_are_not_recommended_again(service: PaperService) -> None:
    service.subscribe(Target.user(USER), GNN)
    first, second = (r.paper.id for r in service.recommend(USER).picks[:2])
    service.feedback(USER, first, "like")
    service.feedback(USER, second, "save")
    ids = {r.paper.id for r in service.recommend(USER, limit=10).picks}
    assert first not in ids and second not in ids


def test_papers_already_delivered_to_the_user_are_excluded(service: PaperService) -> None:
    service.subscribe(Target.user(USER), GNN)
    draft = service.compose_personal_digests([(USER, date(2026, 7, 1))])[0]
    assert draft.picks
    delivered = {r.paper.id for r in draft.picks}
    digest_id = service.claim_digest(draft)
    assert digest_id is not None
    service.mark_digest_sent(digest_id, None)  # delivered: posted, not only claimed
    ids = {r.paper.id for r in service.recommend(USER, limit=10).picks}
    assert ids and not ids & delivered
    # Another member still gets them.
    service.subscribe(Target.user(USER + 1), GNN)
    assert delivered & {r.paper.id for r in service.recommend(USER + 1, limit=10).picks}


def test_window_limits_candidates_to_recent_papers(service: PaperService) -> None:
    service.subscribe(Target.user(USER), GNN)
    narrow = PaperService(service.settings.model_copy(update={"recommend_window_days": 1}), service.db)
    result = narrow.recommend(USER)
    with service.db.session() as s:
        newest = s.scalar(select(func.max(Paper.published)))
        on_newest_day = s.scalar(select(func.count()).where(Paper.published == newest))
    assert 0 < result.candidates == on_newest_day < service.stats()["papers"]
    assert all(r.paper.published == newest for r in result.picks)


def test_notes_explain_empty_results(service: PaperService) -> None:
    note = service.recommend(USER).note
    assert note is not None and "/subscribe" in note
    with pytest.raises(InvalidTopic, match="None of the words of `qwxyzzy plorbination` occur in the library"):
        service.subscribe(Target.user(USER), "qwxyzzy plorbination")  # refused: it could never match
    assert service.recommend(USER).picks == []


def test_empty_library_says_so(bare_service: PaperService) -> None:
    bare_service.subscribe(Target.user(USER), GNN)
    result = bare_service.recommend(USER)
    assert result.picks == [] and result.note is not None and "library is empty" in result.note
