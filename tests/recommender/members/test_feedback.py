"""Likes, saves, dismissals and the reading list, on real papers of the demo corpus."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from recommender.errors import PaperbotError, UnknownPaper
from recommender.members import feedback
from recommender.service import PaperService
from recommender.storage.models import Feedback, Paper

USER = 501


def paper_ids(service: PaperService, n: int) -> list[str]:
    with service.db.session() as s:
        return list(s.scalars(select(Paper.id).order_by(Paper.published.desc(), Paper.id).limit(n)))


def feedback_rows(service: PaperService, user: int = USER) -> set[tuple[str, str]]:
    with service.db.session() as s:
        return set(tuple(r) for r in s.execute(select(Feedback.paper_id, Feedback.kind).where(Feedback.user_id == user)).all())


def test_like_is_recorded_once(service: PaperService) -> None:
    (pid,) = paper_ids(service, 1)
    view, changed = service.feedback(USER, pid, "like")
    assert changed and view.id == pid and view.title
    view, changed = service.feedback(USER, pid, "like")
    assert not changed
    assert feedback_rows(service) == {(pid, "like")}


def test_like_and_dismiss_cancel_each_other(service: PaperService) -> None:
    (pid,) = paper_ids(service, 1)
    service.feedback(USER, pid, "like")
    service.feedback(USER, pid, "dismiss")
    assert feedback_rows(service) == {(pid, "dismiss")}
    service.feedback(USER, pid, "like")
    assert feedback_rows(service) == {(pid, "like")}


def test_save_puts_the_paper_on_the_reading_list_and_dismiss_takes_it_off(service: PaperService) -> None:
    first, second = paper_ids(service, 2)
    service.feedback(USER, first, "save")
    service.feedback(USER, second, "save")
    assert [p.id for p in service.reading_list(USER)] == [second, first]  # newest first
    assert service.reading_list(USER + 1) == []
    service.feedback(USER, first, "dismiss")
    assert [p.id for p in service.reading_list(USER)] == [second]
    assert feedback_rows(service) == {(first, "dismiss"), (second, "save")}
    # Saving a dismissed paper un-dismisses it.
    service.feedback(USER, first, "save")
    assert feedback_rows(service) == {(first, "save"), (second, "save")}


def test_unsave(service: PaperService) -> None:
    (pid,) = paper_ids(service, 1)
    service.feedback(USER, pid, "save")
    assert service.unsave(USER, pid).id == pid
    assert service.reading_list(USER) == []
    assert feedback_rows(service) == set()
    with pytest.raises(PaperbotError, match="not on your reading list"):
        service.unsave(USER, pid)


def test_any_id_form_finds_the_paper(service: PaperService) -> None:
    (pid,) = paper_ids(service, 1)
    for form in (pid, f"arXiv:{pid}v3", f"https://arxiv.org/abs/{pid}v1", f"https://arxiv.org/pdf/{pid}.pdf", f" {pid} "):
        assert service.paper(form).id == pid
    service.feedback(USER, f"https://arxiv.org/abs/{pid}v2", "like")
    assert feedback_rows(service) == {(pid, "like")}


@pytest.mark.parametrize("raw", ["2401.99999", "arXiv:2401.99999v2", "not-a-paper", "x" * 5000])
def test_unknown_paper_is_a_clear_error_and_stores_nothing(service: PaperService, raw: str) -> None:
    users_before = service.stats()["users"]
    with pytest.raises(UnknownPaper) as caught:
        service.feedback(USER, raw, "like")
    message = str(caught.value)
    assert message.startswith("No paper `") and "in the library" in message
    assert len(message) < 200  # a long id is shortened, not echoed
    assert feedback_rows(service) == set()
    assert service.stats()["users"] == users_before  # the failed command left no trace


def test_empty_paper_id(service: PaperService) -> None:
    with pytest.raises(UnknownPaper, match="Give a paper"):
        service.feedback(USER, "   ", "save")


def test_unknown_feedback_kind(service: PaperService) -> None:
    (pid,) = paper_ids(service, 1)
    with pytest.raises(PaperbotError, match="like, save, dismiss"):
        service.feedback(USER, pid, "love")


def test_feedback_counts_in_stats(service: PaperService) -> None:
    a, b, c = paper_ids(service, 3)
    service.feedback(USER, a, "like")
    service.feedback(USER, b, "save")
    service.feedback(USER + 1, c, "dismiss")
    stats = service.stats()
    assert stats["feedback"] == 3
    assert stats["users"] == 2


def test_a_nul_or_a_lone_surrogate_in_a_paper_id_is_no_database_error(service: PaperService) -> None:
    # PostgreSQL refuses NUL in text (DataError) and no driver encodes a lone surrogate: the console
    # and Discord passed both through to the lookup.
    (pid,) = paper_ids(service, 1)
    view, changed = service.feedback(USER, pid[:6] + "\x00" + pid[6:], "like")
    assert changed and view.id == pid
    for raw in ("\x00", "\ud800", "x\x00" * 40):
        with pytest.raises(UnknownPaper):
            service.feedback(USER, raw, "save")
def test_reading_list_pages_read_marks_and_counts(service: PaperService) -> None:
    ids = paper_ids(service, 12)
    for pid in ids:
        service.feedback(USER, pid, "save")
    service.feedback(USER, ids[0], "like")
    service.feedback(USER, ids[1], "dismiss")  # also leaves the reading list
    first = service.reading_page(USER, 1, 5)
    assert (first.page, first.pages, first.total, first.unread) == (1, 3, 11, 11)
    assert len(first.items) == 5 and all(i.read is None for i in first.items)
    last = service.reading_page(USER, 99, 5)  # past the end: the last page
    assert (last.page, len(last.items)) == (3, 1)
    everything = [i.paper.id for i in service.reading_items(USER)]
    assert everything == [i.paper.id for p in (1, 2, 3) for i in service.reading_page(USER, p, 5).items]
    assert set(everything) == set(ids) - {ids[1]}

    assert service.mark_read(USER, f"{ids[2]}v1", True)[1]
    assert not service.mark_read(USER, ids[2], True)[1]  # already read
    assert service.reading_page(USER, 1, 5).unread == 10
    assert [i.read is not None for i in service.reading_items(USER) if i.paper.id == ids[2]] == [True]
    assert service.mark_read(USER, ids[2], False)[1]  # unread again
    with pytest.raises(PaperbotError, match="not on your reading list"):
        service.mark_read(USER, ids[1], True)
    service.mark_read(USER, ids[3], True)
    with service.db.session() as s:
        assert feedback.counts(s, USER) == {"like": 1, "save": 11, "dismiss": 1, "read": 1}
