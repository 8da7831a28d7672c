"""ScoringContext: what profiles are scored against, and its reference sample computed once."""

from __future__ import annotations

import numpy as np

from recommender.evaluation.run import Fitted
from recommender.ranking.context import ScoringContext
from tests.support.ranking import context


def test_blocks_hold_the_rows_asked_for(fitted: Fitted) -> None:
    ctx = context(fitted)
    rows = np.array([3, 1, 40])
    assert ctx.block(rows).rows.tolist() == [3, 1, 40]


def test_the_reference_block_is_the_reference_rows_and_is_built_once(fitted: Fitted) -> None:
    ctx = context(fitted)
    reference = ctx.reference()
    assert reference is not None and reference.rows.tolist() == fitted.index.reference_rows().tolist()
    assert ctx.reference() is reference


def test_no_reference_rows_no_reference(fitted: Fitted) -> None:
    assert ScoringContext(fitted.index).reference() is None
