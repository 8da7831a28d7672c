"""DM digest settings: validated, and who is due when in their own time zone."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from recommender.errors import PaperbotError
from recommender.members import users
from recommender.service import PaperService
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
