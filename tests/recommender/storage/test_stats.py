"""The library's counts (`PaperService.stats()`), as members use it."""

from __future__ import annotations

import json
from datetime import date

from recommender.service import PaperService
from recommender.views import Target


def test_counts_follow_what_members_do(service: PaperService) -> None:
    empty = service.stats()
    assert {k: empty[k] for k in ("users", "subscriptions", "servers", "feedback", "digests_sent")} == {
        "users": 0, "subscriptions": 0, "servers": 0, "feedback": 0, "digests_sent": 0,
    }
    service.subscribe(Target.user(1, 10), "graph neural networks")
    service.subscribe(Target.user(1, 10), "speech recognition")
    service.subscribe(Target.user(2, 10), "graph neural networks")
    service.subscribe(Target.channel(30, 10), "robotics")
    service.configure_digest(10, channel_id=30)
    pick = service.recommend(1).picks[0].paper.id
    service.feedback(1, pick, "like")
    service.feedback(3, pick, "save")  # a member who never subscribed
    draft = service.compose_channel_digest(10, day=date(2026, 7, 1))
    service.mark_digest_sent(service.claim_digest(draft), 1)  # type: ignore[arg-type]

    stats = service.stats()
    assert (stats["users"], stats["subscriptions"], stats["servers"]) == (3, 4, 1)
    assert (stats["feedback"], stats["digests_sent"]) == (2, 1)
    assert json.loads(json.dumps(stats)) == stats  # plain JSON for `paperbot stats --json`


def test_empty_library_stats(bare_service: PaperService) -> None:
    stats = bare_service.stats()
    assert (stats["papers"], stats["newest_paper"], stats["oldest_paper"], stats["ingest_runs"]) == (0, None, None, [])
