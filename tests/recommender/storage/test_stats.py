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


def test_a_servers_figures_count_only_that_server(bare_service: PaperService) -> None:
    bare_service.subscribe(Target.user(1, 10), "graph neural networks")
    bare_service.subscribe(Target.user(2), "speech recognition")  # in DMs; seen in server 10 below
    bare_service.subscribe(Target.user(3, 20), "protein folding")  # another server only
    bare_service.subscribe(Target.channel(100, 10), "graph neural networks")
    bare_service.member_seen(2, 10)
    bare_service.member_seen(4, 10)  # used a command, follows nothing
    figures = bare_service.guild_stats(10)
    assert {k: figures[k] for k in ("members", "members_following", "topics", "channel_topics")} == {
        "members": 3, "members_following": 2, "topics": 2, "channel_topics": 1,
    }
    assert (figures["digests_sent"], figures["digests_failed"], figures["last_digest"]) == (0, 0, None)
    assert bare_service.guild_stats(20)["members"] == 1 and bare_service.guild_stats(20)["topics"] == 1
    assert bare_service.guild_stats(30)["members"] == 0
