"""Cosine scoring of candidate papers against a profile, with explanations."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from recommender.index import PaperIndex
from recommender.profiles import DISMISS_WEIGHT, Profile

MAX_TERMS = 4


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


def rank(
    index: PaperIndex,
    profile: Profile,
    rows: np.ndarray,
    limit: int,
    min_score: float = 0.0,
) -> list[Pick]:
    """The best `limit` papers among `rows` scoring above `min_score`, explained."""
    scores, which = score_rows(index, profile, rows)
    if scores.size == 0:
        return []
    k = min(limit, scores.size)
    top = np.argpartition(-scores, k - 1)[:k] if k < scores.size else np.arange(scores.size)
    top = top[np.argsort(-scores[top], kind="stable")]
    picks: list[Pick] = []
    for i in top:
        score = float(scores[i])
        if score <= min_score:
            break
        row = int(rows[i])
        sub = profile.subs[int(which[i])]
        pick = Pick(str(index.ids[row]), score, sub.label, sub.kind, top_terms(index, sub.vector, row))
        if sub.kind == "likes":
            near = closest_liked(index, profile.liked_rows, row)
            pick.similar_to = str(index.ids[near]) if near is not None else None
        picks.append(pick)
    return picks
