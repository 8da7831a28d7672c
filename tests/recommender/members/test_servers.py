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


def test_sources_are_validated_and_spelled_as_arxiv_does(service: PaperService) -> None:
    conf = service.set_sources(5, categories="CS.lg,  cs.cl cs.LG")
    assert conf.categories == ("cs.LG", "cs.CL") and conf.hf  # the library's spelling, once each
    assert service.set_sources(5, hf=False).categories == ("cs.LG", "cs.CL")  # one change leaves the other
    assert service.set_sources(5, categories="astro-ph.GA, hep-th").categories == ("astro-ph.GA", "hep-th")
    for bad, fragment in (("not-a.category", "not an arXiv category"), ("cs.LG; DROP TABLE", "not an arXiv category"),
                          ("", "at least one"), ("x" * 5000, "5,000 characters"),
                          (" ".join(f"math.A{chr(65 + i)}" for i in range(21)), "At most 20")):
        with pytest.raises(PaperbotError, match=fragment):
            service.set_sources(5, categories=bad)
    conf = service.digest_settings(5)
    assert conf.categories == ("astro-ph.GA", "hep-th") and conf.hf is False  # nothing half-saved
    assert service.set_sources(5, categories="ALL").categories is None
    service.set_sources(6, categories="q-bio.NC")
    assert service.ingest_categories() == [*service.settings.category_list, "q-bio.NC"]
