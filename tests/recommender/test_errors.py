"""The errors adapters show to the person who typed the command: one base class, clear messages."""

from __future__ import annotations

import pytest

from recommender.errors import PaperbotError, UnknownPaper
from recommender.ranking.semantic import SemanticUnavailable
from recommender.ranking.text import InvalidTopic
from recommender.service import PaperService
from recommender.views import Target


def test_every_user_facing_error_is_a_paperbot_error() -> None:
    # Adapters catch PaperbotError (and only it) to show str(error) instead of a traceback.
    for kind in (UnknownPaper, InvalidTopic, SemanticUnavailable):
        assert issubclass(kind, PaperbotError)
    assert issubclass(PaperbotError, ValueError)


def test_an_unknown_paper_is_an_unknown_paper_error_naming_it(bare_service: PaperService) -> None:
    with pytest.raises(UnknownPaper) as caught:
        bare_service.feedback(1, "2401.99999", "like")
    assert "2401.99999" in str(caught.value)


def test_bad_input_through_the_service_raises_paperbot_errors_with_a_message(bare_service: PaperService) -> None:
    attempts = [
        lambda: bare_service.subscribe(Target.user(1), "   "),
        lambda: bare_service.set_dm_digest(1, True, "7pm"),
        lambda: bare_service.configure_digest(5, size=0),
    ]
    for attempt in attempts:
        with pytest.raises(PaperbotError) as caught:
            attempt()
        assert str(caught.value).strip()
