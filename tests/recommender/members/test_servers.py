"""Server digest settings: validated, stored, switched off and on."""

from __future__ import annotations

import pytest

from recommender.config import (
    WEEKDAYS,
    parse_weekdays,
)
from recommender.errors import PaperbotError
from recommender.service import PaperService


def test_server_digest_settings_are_validated(bare_service: PaperService) -> None:
    conf = bare_service.configure_digest(5, channel_id=50, time="7:05", timezone=" Europe/Berlin ", weekdays="Mon-Fri")
    assert (conf.channel_id, conf.time, conf.timezone, conf.weekdays, conf.enabled) == (50, "07:05", "Europe/Berlin", "mon-fri", True)
    for change, fragment in (
        ({"time": "25:61"}, "HH:MM"),
        ({"timezone": "Atlantis/Capital"}, "IANA time zone"),
        ({"weekdays": "someday"}, "weekday"),
        ({"size": 0}, "between 1 and 25"),
        ({"size": 26}, "between 1 and 25"),
    ):
        with pytest.raises(PaperbotError, match=fragment):
            bare_service.configure_digest(5, **change)
    assert bare_service.digest_settings(5) == conf  # nothing changed by the failed attempts
    # A long but valid day list is stored so that it still parses (the column holds 40 characters).
    long_days = bare_service.configure_digest(5, weekdays="Monday, Tuesday, Wednesday, Thursday, Friday, Saturday")
    assert parse_weekdays(long_days.weekdays) == WEEKDAYS[:6]
    off = bare_service.configure_digest(5, enabled=False)
    assert not off.enabled and bare_service.scheduled_digests() == []
    on = bare_service.configure_digest(5, channel_id=51)
    assert on.enabled and [c.guild_id for c in bare_service.scheduled_digests()] == [5]
