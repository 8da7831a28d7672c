"""Reading-group threads: who on the server liked or saved a paper, one thread per server and paper."""

from __future__ import annotations

from datetime import date

import pytest

from recommender.errors import UnknownPaper
from recommender.service import PaperService
from recommender.views import Discussed, Target

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


def test_a_paper_of_a_recent_digest_is_discussed_beside_it_and_counted(service: PaperService) -> None:
    service.member_seen(1, GUILD)
    service.subscribe(Target.user(1, GUILD), "graph neural networks")
    service.configure_digest(GUILD, channel_id=500)
    draft = service.compose_channel_digest(GUILD, day=date.today())
    digest_id = service.claim_digest(draft)
    assert digest_id is not None
    service.mark_digest_thread(digest_id, 800)
    posted = [r.paper.id for r in draft.picks]
    service.mark_digest_posted(digest_id, posted)
    service.mark_digest_sent(digest_id, 700)

    third = posted[2]
    home = service.discussion(GUILD, third).home
    assert home is not None and (home.digest_id, home.channel_id, home.thread_id, home.rank) == (digest_id, 500, 800, 3)
    assert service.discussion(OTHER, third).home is None, "another server's digests are not this one's"
    assert PAPER not in posted and service.discussion(GUILD, PAPER).home is None, "never in a digest"

    service.record_discussion(GUILD, third, 500, 901, 1, digest_id)
    assert service.count_discussion_message(901) and service.count_discussion_message(901)
    assert not service.count_discussion_message(800), "the digest's day thread is no discussion"
    assert service.discussion(GUILD, third).messages == 2
    marked = service.mark_discussed(GUILD, draft.picks)
    assert [r.discussion for r in marked if r.discussion] == [Discussed(901, 2)]
    assert marked[2].paper.id == third and marked[2].discussion == Discussed(901, 2)
    assert all(r.discussion is None for r in service.mark_discussed(OTHER, draft.picks))
    trending = service.trending(GUILD, 7)
    assert [(p.id, d) for p, d in trending.discussions] == [(third, Discussed(901, 2))]
    assert service.trending(OTHER, 7).discussions == []
    # The channel digest shows it too (a later digest of another channel of the server, say).
    again = service.compose_digest_for_channel(502, GUILD, day=date.today())
    assert {r.paper.id: r.discussion for r in again.picks}.get(third) == Discussed(901, 2)

    service.record_discussion(GUILD, third, 500, 902, 1, digest_id)  # the thread was deleted: a new one
    assert service.discussion(GUILD, third).messages == 0 and not service.count_discussion_message(901)
    assert service.trending(GUILD, 7).discussions == [], "a thread nobody wrote in yet is not lively"
