"""Reading-group threads: who on the server liked or saved a paper, one thread per server and paper."""

from __future__ import annotations

import pytest

from recommender.errors import UnknownPaper
from recommender.service import PaperService

PAPER = "2606.17882"
GUILD, OTHER = 70, 71


def test_the_servers_interest_and_its_thread(service: PaperService) -> None:
    for user, guild in ((1, GUILD), (2, GUILD), (3, OTHER)):
        service.member_seen(user, guild)
    service.feedback(1, PAPER, "like")
    service.feedback(2, PAPER, "save")
    service.feedback(3, PAPER, "like")  # a member of another server only
    found = service.discussion(GUILD, PAPER)
    assert (found.paper.id, found.liked_by, found.saved_by, found.thread_id) == (PAPER, [1], [2], None)

    assert service.record_discussion(GUILD, PAPER, 500, 900, 1) is True
    assert (service.discussion(GUILD, PAPER).channel_id, service.discussion(GUILD, PAPER).thread_id) == (500, 900)
    assert service.discussion(OTHER, PAPER).thread_id is None, "threads are per server"
    assert service.record_discussion(GUILD, PAPER, 501, 901, 2) is False, "a lost thread is replaced, not doubled"
    assert service.discussion(GUILD, PAPER).thread_id == 901
    with pytest.raises(UnknownPaper):
        service.discussion(GUILD, "9999.99999")
