"""Helpers for the ranking tests: the fitted synthetic corpus's subjects and a scoring context on it."""

from __future__ import annotations

from recommender.evaluation.run import Fitted
from recommender.ranking.context import ScoringContext

PER_TOPIC = 40


def context(fitted: Fitted) -> ScoringContext:
    assert fitted.community is not None and fitted.colikes is not None
    return ScoringContext(fitted.index, fitted.community, fitted.colikes, reference_rows=fitted.index.reference_rows())


def topic_of(row: int) -> int:
    return row // PER_TOPIC


def ids(rows: list[int]) -> list[str]:
    return [str(r) for r in rows]
