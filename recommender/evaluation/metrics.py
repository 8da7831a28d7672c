"""Ranking metrics over many users at once (numpy only)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from recommender.evaluation.datasets import Benchmark

__all__ = ["EvalResult", "evaluate", "recall_at", "top_m", "DEFAULT_CUTOFFS", "ndcg_at", "precision_at", "hits_of"]

DEFAULT_CUTOFFS: tuple[int, ...] = (20, 50, 100, 300)

# scores(users) -> array (len(users), n_candidates); higher is better.
ScoreFn = Callable[[np.ndarray], np.ndarray]


def top_m(scores: np.ndarray, m: int) -> np.ndarray:
    """Column indices of the ``m`` highest scores of each row, best first.

    Ties are broken by column index so results are reproducible.
    """
    scores = np.asarray(scores)
    m = min(m, scores.shape[1])
    if m < scores.shape[1]:
        part = np.argpartition(-scores, m - 1, axis=1)[:, :m]
    else:
        part = np.broadcast_to(np.arange(scores.shape[1]), scores.shape).copy()
    part.sort(axis=1)  # index order first, so the stable sort below breaks ties by index
    order = np.argsort(-np.take_along_axis(scores, part, axis=1), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


def recall_at(ranked: np.ndarray, truth: sp.csr_matrix, cutoffs: Sequence[int]) -> np.ndarray:
    """Per-user recall at each cutoff: hits in the top M / number of relevant items.

    ``ranked`` holds column indices (best first) into ``truth``'s columns; row i of
    both refers to the same user. Users without relevant items get NaN.
    Returns an array of shape (n_users, len(cutoffs)).
    """
    truth = sp.csr_matrix(truth)
    n_rel = np.diff(truth.indptr).astype(np.float64)
    hits = np.asarray(truth[np.arange(ranked.shape[0])[:, None], ranked].todense()) > 0
    cum = np.cumsum(hits, axis=1)
    cols = [min(m, ranked.shape[1]) - 1 for m in cutoffs]
    with np.errstate(invalid="ignore", divide="ignore"):
        return cum[:, cols] / n_rel[:, None]


def hits_of(ranked: list[np.ndarray], truth: sp.csr_matrix, depth: int) -> np.ndarray:
    """(queries x depth) booleans: is the item at each rank relevant? Short lists count as misses."""
    truth = sp.csr_matrix(truth)
    hits = np.zeros((len(ranked), depth), dtype=bool)
    for q, items in enumerate(ranked):
        relevant = truth.indices[truth.indptr[q] : truth.indptr[q + 1]]
        top = np.asarray(items[:depth], dtype=np.int64)
        hits[q, : top.size] = np.isin(top, relevant)
    return hits


def precision_at(hits: np.ndarray, k: int) -> np.ndarray:
    """Per query: relevant items in the top k / k."""
    return hits[:, :k].sum(axis=1) / k


def ndcg_at(hits: np.ndarray, n_relevant: np.ndarray, k: int) -> np.ndarray:
    """Per query, binary relevance: DCG of the top k / DCG of a perfect top k (log2 discount)."""
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = hits[:, :k] @ discount
    ideal = np.cumsum(discount)[np.clip(np.asarray(n_relevant), 1, k) - 1]
    return np.where(np.asarray(n_relevant) > 0, dcg / ideal, np.nan)


@dataclass
class EvalResult:
    """Mean recall at each cutoff over the evaluated users, and the cost of scoring."""

    benchmark: str
    cutoffs: tuple[int, ...]
    recall: dict[int, float]
    n_users: int
    score_seconds: float
    per_user: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 0)))

    @property
    def ms_per_user(self) -> float:
        return 1000.0 * self.score_seconds / max(self.n_users, 1)

    def as_dict(self) -> dict[str, object]:
        return {
            "benchmark": self.benchmark,
            "users": self.n_users,
            **{f"recall@{m}": round(self.recall[m], 4) for m in self.cutoffs},
            "score_ms_per_user": round(self.ms_per_user, 3),
        }


def evaluate(
    score: ScoreFn,
    bench: Benchmark,
    cutoffs: Sequence[int] = DEFAULT_CUTOFFS,
    users: np.ndarray | None = None,
    batch_size: int = 1024,
) -> EvalResult:
    """Rank ``bench.candidates`` for every evaluated user with ``score`` and measure recall.

    ``score(user_ids)`` must return one row of scores per user over ``bench.candidates``.
    With ``bench.exclude_train`` a user's train items are removed from the ranking.
    Only the time spent inside ``score`` is reported as scoring cost.
    """
    cutoffs = tuple(int(m) for m in cutoffs)
    users = bench.eval_users if users is None else np.asarray(users)
    truth = bench.test[:, bench.candidates].tocsr()
    seen = bench.train[:, bench.candidates].tocsr() if bench.exclude_train else None
    depth = max(cutoffs)
    per_user = np.empty((users.size, len(cutoffs)))
    spent = 0.0
    for start in range(0, users.size, batch_size):
        batch = users[start : start + batch_size]
        began = time.perf_counter()
        scores = np.array(score(batch), dtype=np.float32, copy=True)
        spent += time.perf_counter() - began
        if scores.shape != (batch.size, bench.candidates.size):
            raise ValueError(f"score() returned shape {scores.shape}, expected {(batch.size, bench.candidates.size)}")
        if seen is not None:
            mask = seen[batch]
            scores[mask.nonzero()] = -np.inf
        per_user[start : start + batch.size] = recall_at(top_m(scores, depth), truth[batch], cutoffs)
    recall = {m: float(np.nanmean(per_user[:, j])) for j, m in enumerate(cutoffs)}
    return EvalResult(bench.name, cutoffs, recall, int(users.size), spent, per_user)
