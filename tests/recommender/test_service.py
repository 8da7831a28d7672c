"""PaperService, the one API the adapters call: what it adds over the modules it wires together."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from recommender.config import Settings
from recommender.ranking.semantic import (
    INSTALL_HINT,
    SemanticUnavailable,
    semantic_available,
)
from recommender.service import PaperService
from recommender.storage.db import Database
from tests.support.httpserver import Reply
from tests.support.sources import by_id_list, fixture
from recommender.views import Target

without_extra = pytest.mark.skipif(
    semantic_available(), reason="the semantic extra is installed here: this checks the install without it"
)


@without_extra
def test_switching_it_on_without_the_extra_is_a_clear_error(settings: Settings, db: Database) -> None:
    with pytest.raises(SemanticUnavailable) as caught:
        PaperService(settings.model_copy(update={"semantic": True}), db)
    message = str(caught.value)
    assert "PAPERBOT_SEMANTIC=1" in message and INSTALL_HINT in message and "torch" in message


def test_service_due_dm_digests_uses_today(bare_service: PaperService) -> None:
    bare_service.set_dm_digest(20, True, "00:00", "UTC")  # due from midnight
    assert bare_service.due_dm_digests() == [(20, datetime.now(timezone.utc).date())]


def test_the_scheduled_ingestion_reads_the_servers_categories_too(db, server, ingest_settings) -> None:
    settings = ingest_settings.model_copy(update={"arxiv_categories": "cs.AI", "ingest_sources": "arxiv"})
    service = PaperService(settings, db)
    service.start(seed=False)
    try:
        service.set_sources(7, categories="cs.LG, cs.ai")  # cs.AI is read already; cs.LG is new
        server.route("/rss/cs.AI+cs.LG", Reply(fixture("arxiv-rss-cs.AI.xml"), content_type="application/rss+xml"))
        server.route("/api/query", by_id_list)
        service.run_scheduled_ingest()
        assert len(server.hits("/rss/cs.AI+cs.LG")) == 1  # one listing request for both
    finally:
        service.close()
def test_topic_matches_profile_summary_and_windows(service: PaperService) -> None:
    user = Target.user(41, 7)
    assert service.topic_matches(user) == []
    service.subscribe(user, "graph neural networks")
    service.subscribe(user, "speech recognition")
    (gnn, gnn_count), (speech, speech_count) = service.topic_matches(user)
    assert (gnn, speech) == ("graph neural networks", "speech recognition") and gnn_count > 0 and speech_count > 0
    picks = service.recommend(41, limit=10).picks
    assert len(picks) == 10 and len({p.paper.id for p in picks}) == 10
    short = service.recommend(41, limit=3, window_days=2)
    assert short.window_days == 2 and len(short.picks) <= 3 and short.candidates < service.recommend(41).candidates
    service.feedback(41, picks[0].paper.id, "like")
    service.feedback(41, picks[1].paper.id, "save")
    service.feedback(41, picks[2].paper.id, "dismiss")
    summary = service.profile_summary(41)
    assert [t for t, _ in summary.topics] == [gnn, speech]
    assert (summary.likes, summary.saves, summary.dismissals, summary.read) == (1, 1, 1, 0)
    assert summary.terms and any("graph" in t or "speech" in t for t in summary.terms[:5])
    recent = service.search("graph neural networks", 5, days=3)
    newest = service.index().newest()
    assert recent and all((newest - r.paper.published).days < 3 for r in recent)
    assert [pid for pid, _ in service.paper_choices(41, "")] == [picks[1].paper.id, picks[0].paper.id]
