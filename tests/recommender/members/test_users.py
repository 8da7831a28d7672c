"""DM digest settings: validated, who is due when in their own time zone, and a digest
switched off by a closed-DM failure told once at the member's next command."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from recommender.errors import PaperbotError
from recommender.members import users
from recommender.service import PaperService
from recommender.storage.models import Digest, User, utcnow
from recommender.views import Target

GNN = "graph neural networks"


def test_due_dm_users_follow_their_time_zones(bare_service: PaperService) -> None:
    service = bare_service
    service.set_dm_digest(10, True, "08:00", "Europe/Berlin")  # UTC+2 in July
    service.set_dm_digest(11, True, "08:00", "America/New_York")  # UTC-4
    service.set_dm_digest(12, True, "07:30", "Pacific/Auckland")  # UTC+12
    service.set_dm_digest(13, False, "00:00", "UTC")  # switched off
    service.set_dm_digest(14, True)  # defaults: 08:00 UTC

    def due(now: datetime) -> dict[int, str]:
        with service.db.session() as s:
            return dict(users.due_dm_users(s, now))

    # 07:00 UTC = 09:00 Berlin, 03:00 New York, 19:00 Auckland.
    assert due(datetime(2026, 7, 1, 7, 0, tzinfo=timezone.utc)) == {10: "2026-07-01", 12: "2026-07-01"}
    # 20:00 UTC: Auckland is already on 2 July at 08:00.
    assert due(datetime(2026, 7, 1, 20, 0, tzinfo=timezone.utc)) == {
        10: "2026-07-01", 11: "2026-07-01", 12: "2026-07-02", 14: "2026-07-01",
    }

    # Once a user's digest of that local day is claimed, they are not due again that day.
    service.subscribe(Target.user(10), GNN)
    assert service.claim_digest(service.compose_personal_digests([(10, date(2026, 7, 1))])[0]) is not None
    assert 10 not in due(datetime(2026, 7, 1, 20, 0, tzinfo=timezone.utc))
    assert due(datetime(2026, 7, 2, 7, 0, tzinfo=timezone.utc))[10] == "2026-07-02"


def test_dm_settings_are_validated(bare_service: PaperService) -> None:
    assert bare_service.set_dm_digest(10, True, " 7:05", "Asia/Tokyo") == (True, "07:05", "Asia/Tokyo")
    with pytest.raises(PaperbotError, match="HH:MM"):
        bare_service.set_dm_digest(10, True, "7pm")
    with pytest.raises(PaperbotError, match="IANA time zone"):
        bare_service.set_dm_digest(10, True, None, "Mars/Olympus_Mons")
    assert bare_service.set_dm_digest(10, False) == (False, "07:05", "Asia/Tokyo")


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


def test_dm_settings_are_validated_and_kept_whole(bare_service: PaperService) -> None:
    service = bare_service
    assert service.dm_settings(20).enabled is False and service.dm_settings(20).size == service.settings.digest_size
    conf = service.configure_dm(20, enabled=True, time="6:05", tz="asia/TOKYO", weekdays="Mon,Wed", size=4, min_match=50)
    assert (conf.enabled, conf.time, conf.timezone, conf.weekdays, conf.size, conf.min_match) == (
        True, "06:05", "Asia/Tokyo", "mon,wed", 4, 50)
    assert conf.custom_size and conf.custom_bar
    for change, fragment in (({"time": "24:00"}, "HH:MM"), ({"tz": "x" * 300}, "300 characters"),
                             ({"weekdays": "funday"}, "weekday"), ({"size": 26}, "between 1 and 25"),
                             ({"min_match": 96}, "between 0 and 95"), ({"min_match": -1}, "between 0 and 95")):
        with pytest.raises(PaperbotError, match=fragment):
            service.configure_dm(20, **change)
    assert service.dm_settings(20) == conf
    assert service.set_dm_digest(20, False)[0] is False and service.dm_settings(20).size == 4  # /dm off keeps the rest


def test_due_dm_users_honour_their_days(bare_service: PaperService) -> None:
    service = bare_service
    service.configure_dm(30, enabled=True, time="08:00", tz="UTC", weekdays="mon-fri")
    service.configure_dm(31, enabled=True, time="08:00", tz="UTC")  # every day by default

    def due(now: datetime) -> set[int]:
        with service.db.session() as s:
            return {uid for uid, _ in users.due_dm_users(s, now)}

    assert due(datetime(2026, 7, 3, 9, 0, tzinfo=timezone.utc)) == {30, 31}  # a Friday
    assert due(datetime(2026, 7, 4, 9, 0, tzinfo=timezone.utc)) == {31}  # Saturday


def test_personal_digests_honour_each_members_size_and_threshold(service: PaperService) -> None:
    for user in (40, 41, 42):
        service.subscribe(Target.user(user), GNN)
    service.configure_dm(40, enabled=True, size=2)
    service.configure_dm(41, enabled=True, min_match=95)
    service.configure_dm(42, enabled=True)
    day = date(2026, 7, 1)
    drafts = {d.target.id: d for d in service.compose_personal_digests([(40, day), (41, day), (42, day)])}
    assert len(drafts[40].picks) == 2
    assert len(drafts[42].picks) == service.settings.digest_size
    assert all(p.match >= 95 for p in drafts[41].picks) and len(drafts[41].picks) < len(drafts[42].picks)
    assert [p.paper.id for p in drafts[40].picks] == [p.paper.id for p in drafts[42].picks][:2]


def test_a_weekly_dm_digest_is_due_on_its_day_once_a_week(bare_service: PaperService) -> None:
    service = bare_service
    service.subscribe(Target.user(20), GNN)
    service.configure_dm(20, enabled=True, time="07:00", tz="Europe/Berlin", cadence="weekly", day="wed")
    service.configure_dm(21, enabled=True, time="07:00", tz="UTC")  # daily, every day

    def due(now: datetime) -> dict[int, str]:
        with service.db.session() as s:
            return dict(users.due_dm_users(s, now))

    tuesday = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
    assert due(tuesday) == {21: "2026-11-24"}
    wednesday = tuesday + timedelta(days=1)  # 13:00 in Berlin
    assert due(wednesday)[20] == "2026-11-25"
    draft, = service.compose_personal_digests([(20, date(2026, 11, 25))])
    assert (draft.cadence, draft.period) == ("weekly", date(2026, 11, 23))
    assert service.claim_digest(draft) is not None
    assert 20 not in due(wednesday + timedelta(hours=1))
    service.configure_dm(20, day="thu")  # moved to Thursday the same week: still once a week
    assert 20 not in due(wednesday + timedelta(days=1))
    assert due(wednesday + timedelta(days=8))[20] == "2026-12-03"  # the next week's Thursday
    conf = service.dm_settings(20)
    assert (conf.cadence, conf.week_day, conf.weekdays) == ("weekly", "thu", "daily")


def test_weekly_dm_settings_are_validated(bare_service: PaperService) -> None:
    with pytest.raises(PaperbotError, match="is not a cadence"):
        bare_service.configure_dm(10, cadence="hourly")
    with pytest.raises(PaperbotError, match="is not one weekday"):
        bare_service.configure_dm(10, day="mon-fri")
    assert bare_service.dm_settings(10).cadence == "daily"  # nothing half-saved


def test_the_dm_members_are_those_with_dm_digests_on_by_id(bare_service: PaperService) -> None:
    for uid, on in ((31, True), (7, True), (12, False), (19, True)):
        bare_service.set_dm_digest(uid, on)
    bare_service.set_dm_digest(19, False)  # switched off again
    with bare_service.db.session() as s:
        assert users.dm_members(s) == [7, 31]
