"""The five-paper start: which papers to ask a new member to rate.

Five ratings teach the most when each tells something new: the topic's best
`POOL` candidates are split into sub-areas (k-means on their TF-IDF vectors, which
are L2-normalised, so this is spherical k-means), and each sub-area offers its
best-scoring paper. The five most similar papers would ask the same question five
times. `docs/quality.md` has the measurement (`paperbot eval onboarding`).
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans

from recommender.ranking.context import ScoringContext
from recommender.ranking.profile import ProfileVectors
from recommender.ranking.scores import score

FIVE = 5
POOL = 40  # the topic's best candidates the five are chosen among
SEED = 0


def pool(ctx: ScoringContext, vec: ProfileVectors, rows: np.ndarray, size: int = POOL) -> tuple[np.ndarray, np.ndarray]:
    """(rows, scores) of the best `size` candidates for a profile, best first (scores above 0)."""
    if vec.empty or rows.size == 0:
        return rows[:0], np.zeros(0, dtype=np.float32)
    scores, _ = score(ctx, vec, ctx.block(rows))
    k = min(size, rows.size)
    top = np.argpartition(-scores, k - 1)[:k] if k < rows.size else np.arange(rows.size)
    top = top[np.argsort(-scores[top], kind="stable")]
    top = top[scores[top] > 0]
    return rows[top], scores[top]


def spread(ctx: ScoringContext, rows: np.ndarray, scores: np.ndarray, k: int = FIVE, seed: int = SEED) -> np.ndarray:
    """`k` rows from a scored pool, one per sub-area (k-means clusters), each its cluster's best;
    in the order of their scores."""
    if rows.size <= k:
        return rows
    labels = KMeans(n_clusters=k, n_init=4, random_state=seed).fit_predict(ctx.index.matrix[rows])
    chosen = [int(np.flatnonzero(labels == c)[np.argmax(scores[labels == c])]) for c in range(k) if (labels == c).any()]
    chosen.sort(key=lambda i: -scores[i])
    return rows[chosen]


def top(rows: np.ndarray, k: int = FIVE) -> np.ndarray:
    """The baseline: the pool's `k` best (the five most similar)."""
    return rows[:k]


def at_random(rows: np.ndarray, k: int = FIVE, seed: int = SEED) -> np.ndarray:
    """The other baseline: `k` of the pool at random."""
    rng = np.random.default_rng(seed)
    return rows[rng.choice(rows.size, size=min(k, rows.size), replace=False)] if rows.size else rows


def choose(ctx: ScoringContext, vec: ProfileVectors, rows: np.ndarray, k: int = FIVE) -> np.ndarray:
    """The rows to offer a member with these vectors, among `rows`."""
    candidates, scores = pool(ctx, vec, rows)
    return spread(ctx, candidates, scores, k)
