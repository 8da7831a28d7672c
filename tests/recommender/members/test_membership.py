"""Server membership as the bot sees it, and the channel digest's fallback to its members' topics."""

from __future__ import annotations

from recommender.members import membership
from recommender.members.inputs import channel_inputs
from recommender.service import PaperService
from recommender.views import Target

LAB, OTHER = 10, 20


def test_membership_is_recorded_once_per_server(bare_service: PaperService) -> None:
    with bare_service.db.session() as s:
        assert membership.record(s, LAB, 1) is True
        assert membership.record(s, LAB, 1) is False
        assert membership.record(s, OTHER, 1) is True
        assert membership.record(s, LAB, 2) is True
    with bare_service.db.session() as s:
        assert membership.member_ids(s, LAB) == [1, 2]
        assert membership.member_ids(s, OTHER) == [1]
        assert membership.member_ids(s, 30) == []


def test_members_who_subscribed_in_a_server_count_without_a_record(bare_service: PaperService) -> None:
    bare_service.subscribe(Target.user(5, LAB), "graph neural networks")
    with bare_service.db.session() as s:
        assert membership.member_ids(s, LAB) == [5]


def test_channel_digest_falls_back_to_its_members_topics_wherever_they_subscribed(bare_service: PaperService) -> None:
    bare_service.subscribe(Target.user(1), "speech recognition")  # in DMs
    bare_service.subscribe(Target.user(1, OTHER), "protein folding")  # in another server
    bare_service.subscribe(Target.user(2), "quantum error correction")  # in DMs, never seen in LAB
    bare_service.subscribe(Target.user(3, LAB), "graph neural networks")
    with bare_service.db.session() as s:
        assert channel_inputs(s, 100, LAB).topics == ["graph neural networks"]
    assert bare_service.member_seen(1, LAB) == []
    with bare_service.db.session() as s:
        assert channel_inputs(s, 100, LAB).topics == ["speech recognition", "protein folding", "graph neural networks"]
        assert channel_inputs(s, 200, OTHER).topics == ["speech recognition", "protein folding"]
    bare_service.subscribe(Target.channel(100, LAB), "transformers")
    with bare_service.db.session() as s:
        assert channel_inputs(s, 100, LAB).topics == ["transformers"], "a channel's own topics come first"
