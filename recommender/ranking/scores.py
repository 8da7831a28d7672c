"""Batched scoring: many profiles against one block of papers as matrix products, in
member chunks on worker threads. A paper's score is the best of the profile's parts
(the likes part and each topic) minus the dismissal penalty."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numpy as np

from recommender.ranking.block import PaperBlock
from recommender.ranking.context import ScoringContext
from recommender.ranking.likes import likes_parts, likes_total, mix_scores
from recommender.ranking.profile import ProfileVectors
from recommender.ranking.threads import parallel
from recommender.ranking.topics import topic_scores
from recommender.ranking.weights import DISMISS_WEIGHT

T = TypeVar("T")


def _scores(
    ctx: ScoringContext, vecs: list[ProfileVectors], block: PaperBlock, with_parts: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    ctx.check(vecs)
    n_users, n = len(vecs), block.rows.size
    best = np.full((n_users, n), -np.inf, dtype=np.float32)
    which = np.zeros((n_users, n), dtype=np.int16)
    liked = [i for i, v in enumerate(vecs) if v.has_likes]
    if liked:
        group = [vecs[i] for i in liked]
        center = np.array([v.likes_scale.mean for v in group], dtype=np.float32)
        spread = np.array([v.likes_scale.std for v in group], dtype=np.float32)
        best[liked] = likes_total(ctx, group, likes_parts(ctx, group, block), n, center, spread, block.warm)
    owners = [(i, k) for i, v in enumerate(vecs) for k in range(len(v.topics))]
    if owners:
        # Members often share topics: score each distinct topic once.
        texts = [vecs[i].topics[k] for i, k in owners]
        distinct = {t: j for j, t in enumerate(dict.fromkeys(texts))}
        first = {t: pos for pos, t in reversed(list(enumerate(texts)))}
        raw = topic_scores(vecs, [owners[first[t]] for t in distinct], block)
        spread = np.array([vecs[i].topic_scales[k].std for i, k in owners], dtype=np.float32)
        rel = raw[[distinct[t] for t in texts]] / spread[:, None]  # (member, topic) pairs x papers
        members = np.array([i for i, _ in owners])
        starts = np.flatnonzero(np.r_[True, members[1:] != members[:-1]])
        top = np.maximum.reduceat(rel, starts, axis=0)
        users = members[starts]
        if with_parts:  # which topic won, for labels (1-based; 0 is the likes part)
            part = np.array([k + 1 for _, k in owners])
            for j, (a, b) in enumerate(zip(starts, [*starts[1:], len(owners)])):
                which[users[j]] = np.where(top[j] > best[users[j]], part[a:b][rel[a:b].argmax(axis=0)], which[users[j]])
        best[users] = np.maximum(best[users], top)
    negative = [i for i, v in enumerate(vecs) if v.has_negative]
    if negative:
        raw = mix_scores(ctx, [vecs[i].negative_rows for i in negative], [vecs[i].negative_coef for i in negative], block)
        spread = np.array([vecs[i].negative_scale.std for i in negative], dtype=np.float32)
        best[negative] -= DISMISS_WEIGHT * np.clip(raw / spread[:, None], 0, None)
    return best, which


def score(ctx: ScoringContext, vec: ProfileVectors, block: PaperBlock) -> tuple[np.ndarray, np.ndarray]:
    """(score, winning part) per paper: part 0 is the likes part, 1.. the topics."""
    best, which = _scores(ctx, [vec], block, with_parts=True)
    return best[0], which[0].astype(np.int64)


def score_many(ctx: ScoringContext, vecs: list[ProfileVectors], block: PaperBlock) -> np.ndarray:
    """Scores of many profiles at once (members x papers), as batched matrix products."""
    return _scores(ctx, vecs, block)[0]


def prime(ctx: ScoringContext, vecs: list[ProfileVectors], block: PaperBlock) -> None:
    """Compute, once, the cosines every member's liked and dismissed papers need, so that
    member chunks can then be scored in parallel threads (NumPy and SciPy release the GIL)."""
    rows = [v.liked_rows for v in vecs] + [v.negative_rows for v in vecs]
    if rows:
        # The most used papers first, in case not all of them fit.
        distinct, counts = np.unique(np.concatenate(rows), return_counts=True)
        block.keep_sims(ctx, distinct[np.argsort(-counts, kind="stable")])


def score_chunks(
    ctx: ScoringContext, vecs: list[ProfileVectors], block: PaperBlock, each: Callable[[int, np.ndarray], T],
    chunk: int = 2000, workers: int = 2,
) -> list[T]:
    """`each(start, scores)` for every chunk of members, scored on `workers` threads."""
    prime(ctx, vecs, block)
    starts = range(0, len(vecs), chunk)
    return parallel(lambda a: each(a, score_many(ctx, vecs[a : a + chunk], block)), starts, workers)


def topic_matches(ctx: ScoringContext, vec: ProfileVectors, block: PaperBlock, min_score: float) -> list[int]:
    """How many papers of the block each topic of the profile matches on its own (scores above `min_score`)."""
    if vec.topic_matrix is None or not vec.topics:
        return []
    ctx.check([vec])
    raw = topic_scores([vec], [(0, k) for k in range(len(vec.topics))], block)  # with the community parts
    spread = np.array([s.std for s in vec.topic_scales], dtype=np.float32)
    return [int(n) for n in np.count_nonzero(raw / spread[:, None] > min_score, axis=1)]
