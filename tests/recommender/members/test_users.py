"""A member's DM digest switched off by a closed-DM failure: told once, at their next command."""

from __future__ import annotations

from datetime import date, timedelta

from recommender.members import users
from recommender.service import PaperService
from recommender.storage.models import Digest, User, utcnow
from recommender.views import Target


def failed_dm_digest(service: PaperService, user_id: int, day: date, minutes_ago: int = 0) -> None:
    with service.db.session() as s:
        s.add(Digest(target_kind="user", target_id=user_id, day=day, status="failed", error="DMs closed",
                     created_at=utcnow() - timedelta(minutes=minutes_ago)))


def last_active(service: PaperService, user_id: int):  # type: ignore[no-untyped-def]
    with service.db.session() as s:
        return s.get(User, user_id).last_active  # type: ignore[union-attr]


def test_closed_dms_are_told_once(bare_service: PaperService) -> None:
    bare_service.subscribe(Target.user(1), "speech recognition")
    bare_service.set_dm_digest(1, True, "08:00", "UTC")
    assert bare_service.member_seen(1) == []
    failed_dm_digest(bare_service, 1, date(2026, 1, 5))
    before = last_active(bare_service, 1)
    bare_service.set_dm_digest(1, False)  # what the DM sweep does on FailureReason.CLOSED_DMS
    assert last_active(bare_service, 1) == before, "the sweep is no sign of the member being active"

    (notice,) = bare_service.member_seen(1, 10)
    assert "DMs are closed" in notice and "/dm on" in notice
    assert bare_service.member_seen(1, 10) == [], "told once"


def test_no_notice_while_the_digest_is_on_or_for_old_failures(bare_service: PaperService) -> None:
    bare_service.subscribe(Target.user(1), "speech recognition")
    bare_service.set_dm_digest(1, True)
    failed_dm_digest(bare_service, 1, date(2026, 1, 5))  # e.g. a 400: the digest stays on
    assert bare_service.member_seen(1) == []
    bare_service.set_dm_digest(1, False)  # the member's own /dm off, after they were seen
    assert bare_service.member_seen(1) == []
    with bare_service.db.session() as s:
        assert users.dm_digest_stopped(s, 1) is False
        assert users.dm_digest_stopped(s, 999) is False, "unknown members owe nothing"


def test_seen_never_creates_a_member(bare_service: PaperService) -> None:
    assert bare_service.member_seen(7, 10) == []
    with bare_service.db.session() as s:
        assert s.get(User, 7) is None
