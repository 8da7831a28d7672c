"""Profile inputs from the database: topics in order, time-decayed likes, dismissals, exclusions."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from recommender.members.inputs import (
    FEEDBACK_HALF_LIFE_DAYS,
    channel_inputs,
    decay,
    users_inputs,
    user_inputs,
)
from recommender.storage.db import Database
from recommender.storage.models import (
    Digest,
    DigestItem,
    Feedback,
    Paper,
    ReadingListEntry,
    Subscription,
    User,
    utcnow,
)

NOW = datetime(2026, 7, 1, 12, 0)


def paper(pid: str) -> Paper:
    return Paper(id=pid, title=f"Paper {pid}", title_key=f"paper {pid}", source="file")


def topic(kind: str, target: int, text: str, guild: int | None = None, minutes: int = 0) -> Subscription:
    return Subscription(target_kind=kind, target_id=target, guild_id=guild, topic=text, topic_key=text.lower(),
                        created_at=NOW + timedelta(minutes=minutes))


def test_decay_halves_every_half_life() -> None:
    assert decay(NOW, NOW) == 1.0
    assert decay(NOW - timedelta(days=FEEDBACK_HALF_LIFE_DAYS), NOW) == pytest.approx(0.5)
    assert decay(NOW - timedelta(days=2 * FEEDBACK_HALF_LIFE_DAYS), NOW) == pytest.approx(0.25)
    assert decay(NOW + timedelta(days=3), NOW) == 1.0  # a clock skew never weighs more than now


def test_user_inputs_apply_the_decay_and_exclude_what_the_user_has_seen(db: Database) -> None:
    now = utcnow()
    with db.session() as s:
        s.add_all([User(id=1), User(id=2), *[paper(f"2401.0000{i}") for i in range(1, 9)]])
        s.flush()
        s.add_all([
            topic("user", 1, "speech recognition", minutes=2), topic("user", 1, "graph neural networks", minutes=1),
            topic("user", 2, "robotics"),
            Feedback(user_id=1, paper_id="2401.00001", kind="like", created_at=now - timedelta(days=FEEDBACK_HALF_LIFE_DAYS)),
            Feedback(user_id=1, paper_id="2401.00002", kind="save", created_at=now),
            Feedback(user_id=1, paper_id="2401.00003", kind="dismiss", created_at=now - timedelta(days=2 * FEEDBACK_HALF_LIFE_DAYS)),
            Feedback(user_id=2, paper_id="2401.00004", kind="like", created_at=now),
            ReadingListEntry(user_id=1, paper_id="2401.00005"),
            Digest(id=1, target_kind="user", target_id=1, day=date(2026, 7, 1)),
            Digest(id=2, target_kind="channel", target_id=1, day=date(2026, 7, 1)),
        ])
        s.flush()
        s.add_all([DigestItem(digest_id=1, paper_id="2401.00006", rank=1, score=0.5, posted_at=utcnow()),
                   DigestItem(digest_id=1, paper_id="2401.00008", rank=2, score=0.4),  # planned, never posted
                   DigestItem(digest_id=2, paper_id="2401.00007", rank=1, score=0.5, posted_at=utcnow())])
    with db.session() as s:
        got = user_inputs(s, 1)
    assert got.topics == ["graph neural networks", "speech recognition"]  # in the order they were followed
    weights = dict(zip(got.liked, got.liked_weights))
    assert set(weights) == {"2401.00001", "2401.00002"}  # likes and saves; the other member's like is not here
    assert weights["2401.00001"] == pytest.approx(0.5, abs=1e-3) and weights["2401.00002"] == pytest.approx(1.0, abs=1e-3)
    assert got.dismissed == ["2401.00003"] and got.dismissed_weights[0] == pytest.approx(0.25, abs=1e-3)
    # Liked, dismissed, saved and delivered to this user; not what went to a channel with the same id.
    assert got.exclude == {"2401.00001", "2401.00002", "2401.00003", "2401.00005", "2401.00006"}


def test_a_paper_liked_twice_counts_with_its_newest_weight(db: Database) -> None:
    now = utcnow()
    with db.session() as s:
        s.add_all([User(id=1), paper("2401.00001")])
        s.flush()
        s.add_all([Feedback(user_id=1, paper_id="2401.00001", kind="like", created_at=now - timedelta(days=360)),
                   Feedback(user_id=1, paper_id="2401.00001", kind="save", created_at=now)])
    with db.session() as s:
        got = user_inputs(s, 1)
    assert got.liked == ["2401.00001"] and got.liked_weights[0] == pytest.approx(1.0, abs=1e-3)


def test_a_channel_without_topics_follows_its_servers_members(db: Database) -> None:
    with db.session() as s:
        s.add_all([
            topic("user", 1, "graph neural networks", guild=5), topic("user", 2, "graph neural networks", guild=5, minutes=1),
            topic("user", 3, "speech recognition", guild=5, minutes=2), topic("user", 4, "astronomy", guild=6),
        ])
    with db.session() as s:
        assert channel_inputs(s, 50, 5).topics == ["graph neural networks", "speech recognition"]
        s.add(topic("channel", 50, "robotics", guild=5))
        s.flush()
        assert channel_inputs(s, 50, 5).topics == ["robotics"]


def test_users_inputs_loads_topics_and_exclusions_of_each(db: Database) -> None:
    with db.session() as s:
        s.add_all([User(id=1), User(id=2), User(id=3), paper("2401.00001"), paper("2401.00002")])
        s.flush()
        s.add_all([topic("user", 1, "graph neural networks"), topic("user", 2, "speech recognition"),
                   Feedback(user_id=1, paper_id="2401.00001", kind="like"),
                   Feedback(user_id=2, paper_id="2401.00002", kind="dismiss")])
    with db.session() as s:
        got = users_inputs(s, [1, 2, 3])
        one = user_inputs(s, 1)
    assert (got[1].topics, got[1].liked, got[1].exclude) == (one.topics, one.liked, one.exclude)
    assert got[2].liked == [] and got[2].exclude == {"2401.00002"}
    assert got[3].topics == [] and got[3].exclude == set()
