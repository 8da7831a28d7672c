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


def test_contexts_of_one_index_and_model_share_the_reference_block_not_its_cosines(fitted: Fitted) -> None:
    first, second = context(fitted), context(fitted)
    a, b = first.reference(), second.reference()
    assert a is not None and b is not None and a is not b
    assert a.tfidf_t is b.tfidf_t and a.rows.tolist() == b.rows.tolist()  # built once
    a.keep_sims(first, np.array([0, 1, 2]))
    assert b._sims is None or b._kept_rows.size == 0  # each context keeps its own cosines
    other = ScoringContext(fitted.index, reference_rows=fitted.index.reference_rows())  # no community model
    c = other.reference()
    assert c is not None and c.latent_t is None and c.tfidf_t is not a.tfidf_t
