"""Ranking candidate papers for a profile: threshold, recency, diversity, explanations."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from recommender.ranking.block import PaperBlock
from recommender.ranking.context import ScoringContext
from recommender.ranking.index import PaperIndex
from recommender.ranking.profile import ProfileVectors
from recommender.ranking.population import Population, select
from recommender.ranking.scores import score
from recommender.ranking.vocabulary import words_of

MAX_TERMS = 4
TERM_CANDIDATES = 10  # more than shown: phrases not written as such in the paper are dropped later
MIN_SIMILAR = 0.05  # "most like <liked paper>" only when it shares this much with it
RECENCY_FLOOR = 0.8  # a paper one half-life old keeps 90 % of its score
POOL_FACTOR = 5  # MMR re-ranks this many times `limit` best papers


@dataclass
class Pick:
    paper_id: str
    score: float
    label: str  # the topic (or "papers you liked") it matched
    terms: list[str] = field(default_factory=list)  # what drove the match beyond the topic's words, then the paper's own
    similar_to: str | None = None  # id of the closest liked paper
    matched_on: list[str] = field(default_factory=list)  # the topic's words it matched, when only some


def candidate_rows(index: PaperIndex, window_days: int, exclude: set[str]) -> np.ndarray:
    rows = index.window(window_days)
    if exclude and rows.size:
        hidden = np.array([index.row[p] for p in exclude if p in index.row], dtype=np.int64)
        rows = rows[~np.isin(rows, hidden)]
    return rows


def top_terms(index: PaperIndex, profile_vec: sp.csr_matrix, row: int, limit: int = MAX_TERMS) -> list[str]:
    """The terms that contributed most to the cosine of a profile and a paper (their shared
    terms' products, read from the rows' arrays: no sparse matrix per pick)."""
    vec = profile_vec.tocsr()
    matrix = index.matrix
    a, b = matrix.indptr[row], matrix.indptr[row + 1]
    order_p = np.argsort(vec.indices, kind="stable")
    shared, at_p, at_r = np.intersect1d(vec.indices[order_p], matrix.indices[a:b], assume_unique=True, return_indices=True)
    if not shared.size:
        return []
    values = vec.data[order_p][at_p].astype(np.float32) * matrix.data[a:b][at_r].astype(np.float32)
    keep = values != 0
    shared, values = shared[keep], values[keep]
    order = np.argsort(-values)
    chosen: list[str] = []
    for i in order:
        term = str(index.terms[shared[i]])
        words = set(term.split())
        if any(words <= set(c.split()) for c in chosen):
            continue  # "graph" adds nothing after "graph neural"
        chosen = [c for c in chosen if not set(c.split()) <= words]
        chosen.append(term)
        if len(chosen) >= limit:
            break
    return chosen


def closest_liked(index: PaperIndex, liked_rows: list[int], row: int, min_sim: float = 0.0) -> int | None:
    if not liked_rows:
        return None
    sims = (index.matrix[liked_rows] @ index.matrix[row].T).toarray().ravel()
    best = int(sims.argmax())
    return liked_rows[best] if sims[best] > min_sim else None


def paper_terms(index: PaperIndex, row: int, skip: set[str], limit: int) -> list[str]:
    """The paper's own most weighted terms, leaving out those made only of `skip` words."""
    vec = index.matrix[row]
    chosen: list[str] = []
    for i in np.argsort(-vec.data):
        term = str(index.terms[vec.indices[i]])
        words = set(term.split())
        if words <= skip or any(words <= set(c.split()) for c in chosen):
            continue
        chosen = [c for c in chosen if not set(c.split()) <= words]
        chosen.append(term)
        if len(chosen) >= limit:
            break
    return chosen


def topic_explanation(index: PaperIndex, topic: str, topic_vec: sp.csr_matrix, row: int, limit: int) -> tuple[list[str], list[str]]:
    """(terms, matched_on) for a topic pick: the matched terms beyond the topic's own words
    (acronym long forms, phrases of a common word), then the paper's own key terms; and
    the topic's words it matched, when it matched only some of them."""
    own = set(words_of(index, topic))
    matched = top_terms(index, topic_vec, row, TERM_CANDIDATES)
    beyond = [t for t in matched if not set(t.split()) <= own]
    hit = {w for t in matched for w in t.split()} & own
    partial = [w for w in dict.fromkeys(words_of(index, topic)) if w in hit] if hit and hit != own else []
    skip = own | {w for t in beyond for w in t.split()}
    return beyond + paper_terms(index, row, skip, limit), partial


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


def diversify(
    index: PaperIndex, rows: np.ndarray, scores: np.ndarray, limit: int, weight: float, parts: np.ndarray | None = None
) -> np.ndarray:
    """Maximal marginal relevance: positions into `rows`, trading score for novelty.

    Each next pick maximises (1 - weight) * relevance - weight * (max cosine to the
    picks so far) - weight * (share of the picks so far from the same part), so
    every followed interest gets its turn.
    """
    order = np.argsort(-scores, kind="stable")[: max(limit * POOL_FACTOR, limit)]
    if weight <= 0 or order.size <= 1:
        return order[:limit]
    block = index.matrix[rows[order]]
    sims = (block @ block.T).toarray()
    relevance = scores[order] / max(float(scores[order[0]]), 1e-9)  # 1.0 for the best paper
    part = parts[order] if parts is not None else np.zeros(order.size, dtype=np.int64)
    chosen = [0]
    closest = sims[0].copy()
    while len(chosen) < min(limit, order.size):
        share = np.bincount(part[chosen], minlength=int(part.max()) + 1)[part] / len(chosen)
        mmr = (1 - weight) * relevance - weight * closest - weight * share
        mmr[chosen] = -np.inf
        nxt = int(mmr.argmax())
        chosen.append(nxt)
        closest = np.maximum(closest, sims[nxt])
    return order[chosen]


def _picks(ctx: ScoringContext, vec: ProfileVectors, chosen: list[tuple[int, float, int]]) -> list[Pick]:
    """A member's picks (row, score, part) explained, the likes' centroid made once for all."""
    centroid = vec.centroid(ctx.index) if any(part == 0 for _, _, part in chosen) else None
    return [_pick(ctx, vec, int(r), s, part, centroid) for r, s, part in chosen]


def _pick(ctx: ScoringContext, vec: ProfileVectors, row: int, value: float, part: int,
          centroid: sp.csr_matrix | None = None) -> Pick:
    label = vec.labels()[part]
    if part == 0:
        centroid = vec.centroid(ctx.index) if centroid is None else centroid
        pick = Pick(str(ctx.index.ids[row]), value, label, top_terms(ctx.index, centroid, row, TERM_CANDIDATES))
        near = closest_liked(ctx.index, list(vec.liked_rows), row, MIN_SIMILAR)
        pick.similar_to = str(ctx.index.ids[near]) if near is not None else None
        return pick
    topic = vec.topic_matrix[part - 1]
    found, partial = topic_explanation(ctx.index, label, topic, row, TERM_CANDIDATES)
    return Pick(str(ctx.index.ids[row]), value, label, found, matched_on=partial)


def rank(
    ctx: ScoringContext,
    vec: ProfileVectors,
    rows: np.ndarray,
    limit: int,
    min_score: float = 0.0,
    *,
    diversity: float = 0.0,
    recency_half_life: float | None = None,
) -> list[Pick]:
    """The best `limit` papers among `rows` scoring above `min_score`, explained.

    Scores are relative (ranking/scale.py: 1.0 = as close as the 5 closest reference papers).
    `diversity` (0..1) spreads picks over subjects and interests (MMR);
    `recency_half_life` (days) favours newer papers among equally relevant ones.
    """
    if vec.empty or rows.size == 0:
        return []
    scores, which = score(ctx, vec, ctx.block(rows))
    return _choose(ctx, vec, rows, scores, which, limit, min_score, diversity, recency_half_life)


def _choose(
    ctx: ScoringContext, vec: ProfileVectors, rows: np.ndarray, scores: np.ndarray, which: np.ndarray,
    limit: int, min_score: float, diversity: float, recency_half_life: float | None,
) -> list[Pick]:
    if recency_half_life:
        scores = scores * recency_weight(ctx.index, rows, recency_half_life)
    eligible = np.flatnonzero(scores > min_score)
    if eligible.size == 0:
        return []
    top = eligible[diversify(ctx.index, rows[eligible], scores[eligible], limit, diversity, which[eligible])]
    # MMR chooses which papers; they are shown in the order of the scores shown with them.
    top = top[np.argsort(-scores[top], kind="stable")]
    return _picks(ctx, vec, [(int(rows[i]), float(scores[i]), int(which[i])) for i in top])


def rank_many(
    ctx: ScoringContext,
    vecs: list[ProfileVectors] | None,
    rows: np.ndarray,
    excludes: list[set[str]],
    limit: int,
    min_score: float = 0.0,
    *,
    diversity: float = 0.0,
    recency_half_life: float | None = None,
    chunk: int = 2000,
    block: PaperBlock | None = None,
    pop: Population | None = None,
) -> list[list[Pick]]:
    """`rank` for many members over the same candidates: the members' vectors stacked as one
    `Population` (or `pop`, their matrices as stored: stores/populations.py), picked in batched
    products (ranking/population.py), then each pick explained (from `Population.vectors`,
    for the members with picks only, when given `pop`)."""
    if ctx.semantic is not None:  # the semantic extra's parts are scored member by member
        if vecs is None:
            raise ValueError("the semantic extra ranks member by member: give the members' vectors")
        return [rank(ctx, vec, rows[[str(ctx.index.ids[r]) not in ex for r in rows]] if ex else rows, limit, min_score,
                     diversity=diversity, recency_half_life=recency_half_life) for vec, ex in zip(vecs, excludes)]
    picked = picked_rows(ctx, vecs, rows, excludes, limit, min_score, diversity=diversity,
                         recency_half_life=recency_half_life, chunk=chunk, block=block, pop=pop)
    if vecs is not None:
        return [_picks(ctx, vec, chosen) for vec, chosen in zip(vecs, picked)]
    assert pop is not None
    out: list[list[Pick]] = []
    for i, chosen in enumerate(picked):
        vec = pop.vectors(ctx, i) if chosen else None
        out.append(_picks(ctx, vec, chosen) if vec is not None else [])
    return out


def picked_rows(
    ctx: ScoringContext,
    vecs: list[ProfileVectors] | None,
    rows: np.ndarray,
    excludes: list[set[str]],
    limit: int,
    min_score: float = 0.0,
    *,
    diversity: float = 0.0,
    recency_half_life: float | None = None,
    chunk: int = 2000,
    block: PaperBlock | None = None,
    pop: Population | None = None,
) -> list[list[tuple[int, float, int]]]:
    """What `rank_many` picks (without the semantic extra), before explaining: per member,
    (index row, score, part) best first. The topic benchmark reads this; it needs no words.
    `block`: the candidates' block (`ctx.block(rows)`) when several batches of members share
    it, so the cosines of their liked papers are computed once. `pop`: the members' matrices
    (instead of `vecs`), e.g. read from the stored population."""
    if pop is None:
        if vecs is None:
            raise ValueError("picked_rows needs the members' vectors or their population")
        pop = Population.stack(ctx, vecs)
    if pop.size != len(excludes):
        raise ValueError(f"{pop.size} members' vectors for {len(excludes)} members' exclusions")
    selection = select(
        ctx, pop, block if block is not None else ctx.block(rows), exclusion_matrix(ctx.index, rows, excludes), limit, min_score, diversity=diversity,
        recency=recency_weight(ctx.index, rows, recency_half_life) if recency_half_life else None, chunk=chunk,
    )
    return [[(int(rows[p]), s, part) for p, s, part in selection.of(m)] for m in range(pop.size)]


def exclusion_matrix(index: PaperIndex, rows: np.ndarray, excludes: list[set[str]]) -> sp.csr_matrix:
    """Members x candidates: 1 where the member must not get the paper (liked, dismissed, saved, sent)."""
    position = {str(pid): i for i, pid in enumerate(index.ids[rows])}
    indptr, cols = [0], []
    for ex in excludes:
        cols += sorted(position[p] for p in ex if p in position)
        indptr.append(len(cols))
    return sp.csr_matrix((np.ones(len(cols), dtype=np.int8), np.array(cols, dtype=np.int64), np.array(indptr)),
                         shape=(len(excludes), rows.size))


def explain(ctx: ScoringContext, vec: ProfileVectors, row: int) -> Pick | None:
    """How one paper scores against a profile: the part it matches best, and why."""
    if vec.empty:
        return None
    scores, which = score(ctx, vec, ctx.block(np.array([row])))
    return _pick(ctx, vec, row, float(scores[0]), int(which[0]))


def nearest(
    index: PaperIndex, query: sp.csr_matrix, limit: int, skip: set[int] | None = None, among: np.ndarray | None = None
) -> list[tuple[int, float]]:
    """(row, cosine) of the papers closest to a query vector, best first (only rows `among`, if given)."""
    sims = index.cosines(query)  # the query's columns only
    if among is not None:
        outside = np.ones(sims.size, dtype=bool)
        outside[among] = False
        sims[outside] = -1.0
    for row in skip or ():
        sims[row] = -1.0
    k = min(limit, sims.size)
    if k == 0:
        return []
    top = np.argpartition(-sims, k - 1)[:k]
    top = top[np.argsort(-sims[top], kind="stable")]
    return [(int(r), float(sims[r])) for r in top if sims[r] > 0]
