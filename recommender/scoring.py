"""Cosine scoring of candidate papers against a profile, with explanations."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from recommender.index import PaperIndex
from recommender.profiles import DISMISS_WEIGHT, Profile

MAX_TERMS = 4
RECENCY_FLOOR = 0.8  # a paper one half-life old keeps 90 % of its score
POOL_FACTOR = 5  # MMR re-ranks this many times `limit` best papers


@dataclass
class Pick:
    paper_id: str
    score: float
    label: str  # the topic (or "papers you liked") it matched
    kind: str
    terms: list[str] = field(default_factory=list)
    similar_to: str | None = None  # id of the closest liked paper


def candidate_rows(index: PaperIndex, window_days: int, exclude: set[str]) -> np.ndarray:
    rows = index.window(window_days)
    if exclude:
        keep = np.array([index.ids[r] not in exclude for r in rows], dtype=bool)
        rows = rows[keep] if rows.size else rows
    return rows


def score_rows(index: PaperIndex, profile: Profile, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(best score per row, index of the winning sub-profile per row)."""
    if profile.empty or rows.size == 0:
        return np.zeros(rows.size, dtype=np.float32), np.zeros(rows.size, dtype=np.int64)
    subs = sp.vstack([s.vector for s in profile.subs]).tocsr()
    block = index.matrix[rows]
    sims = (subs @ block.T).toarray()
    best, which = sims.max(axis=0), sims.argmax(axis=0)
    if profile.negative is not None:
        best = best - DISMISS_WEIGHT * (profile.negative @ block.T).toarray().ravel()
    return best.astype(np.float32), which


def top_terms(index: PaperIndex, profile_vec: sp.csr_matrix, row: int, limit: int = MAX_TERMS) -> list[str]:
    """The terms that contributed most to the cosine of a profile and a paper."""
    contrib = profile_vec.multiply(index.matrix[row]).tocsr()
    if contrib.nnz == 0:
        return []
    order = np.argsort(-contrib.data)
    chosen: list[str] = []
    for i in order:
        term = str(index.terms[contrib.indices[i]])
        words = set(term.split())
        if any(words <= set(c.split()) for c in chosen):
            continue  # "graph" adds nothing after "graph neural"
        chosen = [c for c in chosen if not set(c.split()) <= words]
        chosen.append(term)
        if len(chosen) >= limit:
            break
    return chosen


def closest_liked(index: PaperIndex, liked_rows: list[int], row: int) -> int | None:
    if not liked_rows:
        return None
    sims = (index.matrix[liked_rows] @ index.matrix[row].T).toarray().ravel()
    return liked_rows[int(sims.argmax())]


def recency_weight(index: PaperIndex, rows: np.ndarray, half_life_days: float) -> np.ndarray:
    """1.0 for the newest papers, falling towards RECENCY_FLOOR with age (half-life in days)."""
    newest = index.newest()
    dates = index.published[rows]
    if newest is None or rows.size == 0:
        return np.ones(rows.size, dtype=np.float32)
    age = (np.datetime64(newest) - dates).astype("timedelta64[D]").astype(np.float32)
    age = np.nan_to_num(np.where(np.isnat(dates), half_life_days * 4, age), nan=0.0)
    decay = np.power(0.5, np.clip(age, 0, None) / half_life_days)
    return (RECENCY_FLOOR + (1 - RECENCY_FLOOR) * decay).astype(np.float32)


def diversify(index: PaperIndex, rows: np.ndarray, scores: np.ndarray, limit: int, weight: float) -> np.ndarray:
    """Maximal marginal relevance: positions into `rows`, trading score for novelty.

    Each next pick maximises (1 - weight) * score - weight * (max cosine to the picks so far).
    """
    order = np.argsort(-scores, kind="stable")[: max(limit * POOL_FACTOR, limit)]
    if weight <= 0 or order.size <= 1:
        return order[:limit]
    block = index.matrix[rows[order]]
    sims = (block @ block.T).toarray()
    chosen = [0]
    closest = sims[0].copy()
    while len(chosen) < min(limit, order.size):
        mmr = (1 - weight) * scores[order] - weight * closest
        mmr[chosen] = -np.inf
        nxt = int(mmr.argmax())
        chosen.append(nxt)
        closest = np.maximum(closest, sims[nxt])
    return order[chosen]


def rank(
    index: PaperIndex,
    profile: Profile,
    rows: np.ndarray,
    limit: int,
    min_score: float = 0.0,
    *,
    diversity: float = 0.0,
    recency_half_life: float | None = None,
) -> list[Pick]:
    """The best `limit` papers among `rows` scoring above `min_score`, explained.

    `diversity` (0..1) spreads picks over different subjects (MMR); `recency_half_life`
    (days) favours newer papers among equally relevant ones.
    """
    scores, which = score_rows(index, profile, rows)
    if scores.size == 0:
        return []
    if recency_half_life:
        scores = scores * recency_weight(index, rows, recency_half_life)
    eligible = np.flatnonzero(scores > min_score)
    if eligible.size == 0:
        return []
    top = eligible[diversify(index, rows[eligible], scores[eligible], limit, diversity)]
    picks: list[Pick] = []
    for i in top:
        score = float(scores[i])
        row = int(rows[i])
        sub = profile.subs[int(which[i])]
        pick = Pick(str(index.ids[row]), score, sub.label, sub.kind, top_terms(index, sub.vector, row))
        if sub.kind == "likes":
            near = closest_liked(index, profile.liked_rows, row)
            pick.similar_to = str(index.ids[near]) if near is not None else None
        picks.append(pick)
    return picks


def explain(index: PaperIndex, profile: Profile, row: int) -> Pick | None:
    """How one paper scores against a profile: the sub-profile it matches best, and why."""
    if profile.empty:
        return None
    scores, which = score_rows(index, profile, np.array([row]))
    sub = profile.subs[int(which[0])]
    pick = Pick(str(index.ids[row]), float(scores[0]), sub.label, sub.kind, top_terms(index, sub.vector, row, 5))
    if sub.kind == "likes":
        near = closest_liked(index, profile.liked_rows, row)
        pick.similar_to = str(index.ids[near]) if near is not None else None
    return pick


def nearest(index: PaperIndex, query: sp.csr_matrix, limit: int, skip: set[int] | None = None) -> list[tuple[int, float]]:
    """(row, cosine) of the papers closest to a query vector, best first."""
    sims = (index.matrix @ query.T).toarray().ravel()
    for row in skip or ():
        sims[row] = -1.0
    k = min(limit, sims.size)
    if k == 0:
        return []
    top = np.argpartition(-sims, k - 1)[:k]
    top = top[np.argsort(-sims[top], kind="stable")]
    return [(int(r), float(sims[r])) for r in top if sims[r] > 0]
