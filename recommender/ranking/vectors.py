"""Per-member profile vectors: built once when feedback changes, scored in batches.

A profile has up to three parts, each standardised on a fixed reference sample of
papers so their scores are comparable:

* one sub-profile per followed topic (the topic's TF-IDF vector);
* the "likes" part: a blend of the TF-IDF centroid of liked and saved papers
  (time-decayed), the community latent `z`, co-likes and popularity, and with the
  semantic extra (recommender/semantic.py) a latent and sub-profiles on sentence embeddings;
* the dismissed papers' centroid, which pushes similar papers down.

The likes parts are combined as standard scores (weights measured on CiteULike;
papers nobody has liked yet, i.e. every new paper, weigh the text parts with weights
of their own, since they have no co-likes);
the likes part and every topic are then put on one relative scale (0 = a typical
paper, 1 = as close as the closest 0.5 % of papers), and a paper's score is the
best of them, so several interests each get picks, labelled with what they
matched, minus the dismissal penalty. See docs/quality.md for the measurements behind the weights.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import scipy.sparse as sp

from recommender.ranking.community import CoLikes, CommunityModel
from recommender.ranking.index import PaperIndex
from recommender.ranking.semantic import SemanticContext, member_vectors, subprofile_scores

T = TypeVar("T")
LIKES_LABEL = "papers you liked"
# Weights of the standardised parts of the likes score (measured on CiteULike).
WEIGHTS = {"centroid": 1.0, "latent": 0.25, "colike": 1.0, "popularity": 1.0, "centroid_cold": 0.75, "latent_cold": 1.0}
# Papers nobody has liked yet (every new paper) have no co-likes: their text parts get weights of their own.
COLD_WEIGHTS = {"centroid": "centroid_cold", "latent": "latent_cold"}
DISMISS_WEIGHT = 0.5
TOP_QUANTILE = 0.995
# Cosines of liked/dismissed papers with a block's candidates kept per block: this many
# floats (1.2 GB) or this many papers, whichever allows more.
SIMS_CACHE_FLOATS = 300_000_000
SIMS_CACHE_ROWS = 50_000
PARALLEL_ROWS = 4000  # cosines of this many papers or more are computed on two threads
EPS = 1e-6


@dataclass
class Scale:
    mean: float = 0.0
    std: float = 1.0

    def apply(self, raw: np.ndarray) -> np.ndarray:
        return (raw - self.mean) / self.std

    @classmethod
    def of(cls, sample: np.ndarray) -> Scale:
        """Standard score: (raw - mean) / std over the reference sample."""
        sample = np.asarray(sample, dtype=np.float64).ravel()
        std = float(sample.std()) if sample.size else 0.0
        return cls(float(sample.mean()) if sample.size else 0.0, std if std > EPS else 0.0)

    @classmethod
    def relative(cls, sample: np.ndarray, center: float | None = None) -> Scale:
        """Relevance: 0 for a typical paper (or `center`), 1 for one as close as the closest 0.5 %."""
        sample = np.asarray(sample, dtype=np.float64).ravel()
        if not sample.size:
            return cls(0.0, 1.0)
        middle = float(np.median(sample)) if center is None else center
        top = float(np.quantile(sample, TOP_QUANTILE))
        if top - middle <= EPS:
            top = float(sample.max())
        return cls(middle, top - middle if top - middle > EPS else 1.0)

    @property
    def usable(self) -> bool:
        return self.std > 0


@dataclass
class ScoringContext:
    """Everything profiles are scored against: the index and the community's models."""

    index: PaperIndex
    community: CommunityModel | None = None
    colikes: CoLikes | None = None
    reference_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    weights: dict[str, float] = field(default_factory=lambda: dict(WEIGHTS))
    semantic: SemanticContext | None = None  # the optional semantic extra (recommender/semantic.py)
    _reference: PaperBlock | None = field(default=None, repr=False)

    def block(self, rows: np.ndarray) -> PaperBlock:
        return PaperBlock.of(self, rows)

    def reference(self) -> PaperBlock | None:
        """The reference sample as a block, computed once per context."""
        if not self.reference_rows.size:
            return None
        if self._reference is None:
            self._reference = self.block(self.reference_rows)
        return self._reference


@dataclass
class PaperBlock:
    """Candidate papers in every representation the parts of a profile need."""

    rows: np.ndarray
    tfidf_t: sp.csr_matrix  # terms x papers
    latent_t: np.ndarray | None  # rank x papers
    colike_t: sp.csr_matrix | None  # members x papers
    popularity: np.ndarray | None
    semantic_t: np.ndarray | None = None  # embedding dims x papers (semantic extra)
    semantic_latent_t: np.ndarray | None = None  # semantic rank x papers
    # Cosines of indexed papers with this block, kept across member chunks of one digest:
    # index row `_kept_rows[i]` (sorted) has its cosines in `_sims[_kept_at[i]]`; the buffer only grows.
    _sims: np.ndarray | None = field(default=None, repr=False)
    _kept_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), repr=False)
    _kept_at: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def warm(self) -> np.ndarray | None:
        """Papers that already have likes (None without the community's likes)."""
        return None if self.popularity is None else self.popularity > 0

    def keep_sims(self, ctx: ScoringContext, rows: np.ndarray) -> None:
        """Compute and keep the cosines of these index rows with the block, in the given
        order of priority, as far as `SIMS_CACHE_FLOATS` / `SIMS_CACHE_ROWS` allow."""
        with self._lock:
            self._keep(ctx, rows)

    def sims(self, ctx: ScoringContext, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(positions, matrix): the cosines of index row `rows[i]` with every paper of the
        block are `matrix[positions[i]]`. Kept rows are not copied; others are computed."""
        with self._lock:
            self._keep(ctx, rows)
            assert self._sims is not None
            pos, kept = self._positions(rows), self._sims  # rows below the count never change
        missing = pos < 0
        if not missing.any():
            return pos, kept
        # The cache is full: a matrix of just these rows, from the cache and computed.
        local = np.empty((rows.size, self.rows.size), dtype=np.float32)
        local[~missing] = kept[pos[~missing]]
        self._cosines(ctx, rows[missing], local, np.flatnonzero(missing))
        return np.arange(rows.size), local

    def _cosines(self, ctx: ScoringContext, rows: np.ndarray, out: np.ndarray, at: np.ndarray | slice) -> None:
        """out[at] = cosines of the index rows with the block; big sets on two threads
        (SciPy's sparse products release the GIL)."""
        if rows.size < PARALLEL_ROWS:
            out[at] = (ctx.index.matrix[rows] @ self.tfidf_t).toarray()
            return
        positions = np.arange(out.shape[0])[at]
        halves = np.array_split(np.arange(rows.size), 2)

        def half(part: np.ndarray) -> None:
            out[positions[part]] = (ctx.index.matrix[rows[part]] @ self.tfidf_t).toarray()

        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(half, halves))

    def _positions(self, rows: np.ndarray) -> np.ndarray:
        """Where each index row's cosines are kept (-1: not kept)."""
        if not self._kept_rows.size:
            return np.full(rows.size, -1, dtype=np.int64)
        i = np.minimum(np.searchsorted(self._kept_rows, rows), self._kept_rows.size - 1)
        return np.where(self._kept_rows[i] == rows, self._kept_at[i], -1)

    def _keep(self, ctx: ScoringContext, rows: np.ndarray) -> None:
        n = self.rows.size
        limit = max(SIMS_CACHE_FLOATS // max(n, 1), SIMS_CACHE_ROWS)
        if self._sims is None:
            self._sims = np.zeros((0, n), dtype=np.float32)
        rows = rows[self._positions(rows) < 0]
        _, first = np.unique(rows, return_index=True)
        count = self._kept_rows.size
        rows = rows[np.sort(first)][: max(limit - count, 0)]  # distinct, in priority order
        if not rows.size:
            return
        need = count + rows.size
        if need > self._sims.shape[0]:  # grow by doubling, so that repeated calls copy little
            grown = np.empty((min(max(need, 2 * self._sims.shape[0]), limit), n), dtype=np.float32)
            grown[:count] = self._sims[:count]
            self._sims = grown
        self._cosines(ctx, rows, self._sims, slice(count, need))
        kept = np.concatenate([self._kept_rows, rows])
        order = np.argsort(kept, kind="stable")
        self._kept_rows, self._kept_at = kept[order], np.concatenate([self._kept_at, np.arange(count, need)])[order]

    @classmethod
    def of(cls, ctx: ScoringContext, rows: np.ndarray) -> PaperBlock:
        block = ctx.index.matrix[rows]
        latent = ctx.community.latent(block).T.copy() if ctx.community is not None else None
        colike = pop = None
        if ctx.colikes is not None:
            colike = ctx.colikes.normalized[rows].T.tocsr()
            pop = ctx.colikes.popularity[rows]
        out = cls(rows, block.T.tocsr(), latent, colike, pop)  # CSR: csr @ csr needs no conversion
        if ctx.semantic is not None:
            out.semantic_t = np.ascontiguousarray(ctx.semantic.embeddings[rows].T)
            sem_latent = ctx.semantic.latent(rows)
            out.semantic_latent_t = sem_latent.T.copy() if sem_latent is not None else None
        return out


@dataclass
class ProfileInputs:
    """What shapes one target's recommendations (built from the database or a benchmark)."""

    topics: list[str] = field(default_factory=list)
    liked: list[str] = field(default_factory=list)
    liked_weights: list[float] = field(default_factory=list)  # time decay; empty means all 1
    dismissed: list[str] = field(default_factory=list)
    dismissed_weights: list[float] = field(default_factory=list)
    exclude: set[str] = field(default_factory=set)


@dataclass
class ProfileVectors:
    topics: list[str] = field(default_factory=list)
    topic_matrix: sp.csr_matrix | None = None  # topics x terms
    topic_scales: list[Scale] = field(default_factory=list)
    liked_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    liked_coef: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))  # centroid = coef @ rows
    latent: np.ndarray | None = None  # rank
    colike: sp.csr_matrix | None = None  # 1 x members
    semantic_latent: np.ndarray | None = None  # semantic rank (semantic extra)
    semantic_subs: np.ndarray | None = None  # sub-profiles x embedding dims (semantic extra)
    part_scales: dict[str, Scale] = field(default_factory=dict)
    likes_scale: Scale = field(default_factory=Scale)
    negative_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    negative_coef: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    negative_scale: Scale = field(default_factory=Scale)

    @property
    def has_likes(self) -> bool:
        return self.liked_rows.size > 0 and self.likes_scale.usable

    @property
    def has_negative(self) -> bool:
        return self.negative_rows.size > 0 and self.negative_scale.usable

    @property
    def empty(self) -> bool:
        return not self.has_likes and not self.topics

    def labels(self) -> list[str]:
        """Label of each part, in the order `score` reports them: likes first, then topics."""
        return [LIKES_LABEL, *self.topics]

    def centroid(self, index: PaperIndex) -> sp.csr_matrix:
        """The unit-length, weighted centroid of the liked papers (1 x terms)."""
        return sp.csr_matrix(self.liked_coef @ index.matrix[self.liked_rows])


def _unit_mix(matrix: sp.csr_matrix, ids: list[str], rows_of: dict[str, int], given: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """Rows and coefficients whose combination is the unit-length weighted mean of those papers."""
    pairs = [(rows_of[i], given[n] if n < len(given) else 1.0) for n, i in enumerate(ids) if i in rows_of]
    if not pairs:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    rows = np.array([r for r, _ in pairs], dtype=np.int64)
    coef = np.array([w for _, w in pairs], dtype=np.float64)
    block = matrix[rows]
    norm = float(np.sqrt(max(coef @ (block @ block.T).toarray() @ coef, 0.0)))  # |sum coef_i x_i|
    return rows, (coef / max(norm, EPS)).astype(np.float32)


def _stack_rows(mats: list[sp.csr_matrix]) -> sp.csr_matrix:
    """`sp.vstack` of CSR matrices with equal widths, without its per-matrix overhead."""
    data = np.concatenate([m.data for m in mats])
    indices = np.concatenate([m.indices for m in mats]).astype(np.int64, copy=False)
    counts = np.concatenate([np.diff(m.indptr) for m in mats])
    indptr = np.concatenate([[0], np.cumsum(counts)])
    return sp.csr_matrix((data, indices, indptr), shape=(counts.size, mats[0].shape[1]))


def _mix_scores(ctx: ScoringContext, rows: list[np.ndarray], coefs: list[np.ndarray], block: PaperBlock) -> np.ndarray:
    """Cosines of weighted centroids with a block of papers, through the papers they mix.

    `centroid . x = sum_i coef_i (x_i . x)`: one product of the distinct mixed papers
    with the block, then a sparse (members x papers) combination, instead of one
    sparse product per member.
    """
    pos, sims = block.sims(ctx, np.concatenate(rows))
    indptr = np.cumsum([0, *[r.size for r in rows]])
    mix = sp.csr_matrix((np.concatenate(coefs), pos, indptr), shape=(len(rows), sims.shape[0]))
    return np.asarray(mix @ sims, dtype=np.float32)


def _likes_parts(ctx: ScoringContext, group: list[ProfileVectors], block: PaperBlock) -> dict[str, tuple[list[int], np.ndarray]]:
    """Raw scores of each likes part: (members that have it, members x papers)."""
    n = block.rows.size
    parts: dict[str, tuple[list[int], np.ndarray]] = {
        "centroid": (list(range(len(group))), _mix_scores(ctx, [v.liked_rows for v in group], [v.liked_coef for v in group], block))
    }
    have = [j for j, v in enumerate(group) if v.latent is not None]
    if have and block.latent_t is not None:
        parts["latent"] = (have, np.vstack([group[j].latent for j in have]) @ block.latent_t)
    have = [j for j, v in enumerate(group) if v.colike is not None]
    if have and block.colike_t is not None:
        stacked = _stack_rows([group[j].colike for j in have])
        parts["colike"] = (have, np.asarray((stacked @ block.colike_t).toarray(), dtype=np.float32))
        parts["popularity"] = (have, np.broadcast_to(block.popularity, (len(have), n)))
    have = [j for j, v in enumerate(group) if v.semantic_latent is not None]
    if have and block.semantic_latent_t is not None:
        parts["semantic_latent"] = (have, np.vstack([group[j].semantic_latent for j in have]) @ block.semantic_latent_t)
    have = [j for j, v in enumerate(group) if v.semantic_subs is not None]
    if have and block.semantic_t is not None:
        parts["semantic_subprofiles"] = (have, subprofile_scores([group[j].semantic_subs for j in have], block.semantic_t))
    return parts


def _likes_total(
    ctx: ScoringContext, group: list[ProfileVectors], parts: dict[str, tuple[list[int], np.ndarray]], n: int,
    center: np.ndarray | None = None, spread: np.ndarray | None = None, warm: np.ndarray | None = None,
) -> np.ndarray:
    """The weighted sum of the standardised likes parts (members x papers), optionally
    put on the relative scale ((total - center) / spread) in the same pass. `warm` marks
    the papers that already have likes (see `COLD_WEIGHTS`)."""
    spread = np.ones(len(group), dtype=np.float32) if spread is None else spread
    offset = np.zeros(len(group), dtype=np.float32) if center is None else -center / spread
    total = np.zeros((len(group), n), dtype=np.float32)
    for name, (members, raw) in parts.items():
        scales = [group[j].part_scales.get(name) for j in members]
        mean = np.array([sc.mean if sc else 0.0 for sc in scales], dtype=np.float32)
        std = np.array([sc.std if sc and sc.usable else np.inf for sc in scales], dtype=np.float32)
        weight = _part_weight(ctx, name, warm)
        if isinstance(weight, float):
            gain = weight / (std * spread[members])  # one multiply-add per part
            offset[members] -= gain * mean
            part = raw * gain[:, None]
        else:  # one weight per paper
            inverse = 1.0 / (std * spread[members])
            part = (raw * inverse[:, None] - (inverse * mean)[:, None]) * weight
        if len(members) == len(group):
            total += part
        else:
            total[members] += part
    total += offset[:, None]
    return total


def _part_weight(ctx: ScoringContext, name: str, warm: np.ndarray | None) -> float | np.ndarray:
    """The part's weight: one for every paper, or one per paper when papers nobody has
    liked yet weigh it differently (`COLD_WEIGHTS`)."""
    weight = float(ctx.weights.get(name, 0.0))
    cold_name = COLD_WEIGHTS.get(name)
    if cold_name is None or cold_name not in ctx.weights:
        return weight
    cold_weight = float(ctx.weights[cold_name])
    if warm is None or not warm.any():
        return cold_weight  # no paper here has likes
    if warm.all() or cold_weight == weight:
        return weight
    return np.where(warm, weight, cold_weight).astype(np.float32)


def build_vectors(ctx: ScoringContext, inputs: ProfileInputs, topic: str | None = None) -> ProfileVectors:
    """Turn a target's topics, likes and dismissals into scoreable vectors."""
    index = ctx.index
    vec = ProfileVectors()
    reference = ctx.reference()
    topics = [topic] if topic else list(inputs.topics)
    if topics:
        embedded = index.embed(topics)
        keep = [i for i in range(len(topics)) if embedded[i].nnz]
        if keep:
            vec.topics = [topics[i] for i in keep]
            vec.topic_matrix = embedded[keep].tocsr()
            raw = (vec.topic_matrix @ reference.tfidf_t).toarray() if reference else np.zeros((len(keep), 0))
            vec.topic_scales = [Scale.relative(row, center=0.0) for row in raw]  # cosine: 0 = unrelated
    if not topic:
        vec.liked_rows, vec.liked_coef = _unit_mix(index.matrix, inputs.liked, index.row, inputs.liked_weights)
    if vec.liked_rows.size:
        weights = vec.liked_coef / max(float(vec.liked_coef.sum()), EPS)
        if ctx.community is not None:
            vec.latent = ctx.community.member_vector(ctx.community.latent(index.matrix[vec.liked_rows]), weights)
        if ctx.colikes is not None:
            vec.colike = ctx.colikes.member_vector(vec.liked_rows.tolist())
        if ctx.semantic is not None:
            vec.semantic_latent, vec.semantic_subs = member_vectors(ctx.semantic, vec.liked_rows, weights)
        if reference is not None:
            parts = _likes_parts(ctx, [vec], reference)
            vec.part_scales = {name: Scale.of(raw[0]) for name, (_, raw) in parts.items()}
            # On the scale of new papers (all without likes): what digests rank.
            vec.likes_scale = Scale.relative(_likes_total(ctx, [vec], parts, reference.rows.size)[0])
    vec.negative_rows, vec.negative_coef = _unit_mix(index.matrix, inputs.dismissed, index.row, inputs.dismissed_weights)
    if vec.negative_rows.size and reference is not None:
        raw = _mix_scores(ctx, [vec.negative_rows], [vec.negative_coef], reference)
        vec.negative_scale = Scale.relative(raw, center=0.0)
    return vec


def _scores(
    ctx: ScoringContext, vecs: list[ProfileVectors], block: PaperBlock, with_parts: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    n_users, n = len(vecs), block.rows.size
    best = np.full((n_users, n), -np.inf, dtype=np.float32)
    which = np.zeros((n_users, n), dtype=np.int16)
    liked = [i for i, v in enumerate(vecs) if v.has_likes]
    if liked:
        group = [vecs[i] for i in liked]
        center = np.array([v.likes_scale.mean for v in group], dtype=np.float32)
        spread = np.array([v.likes_scale.std for v in group], dtype=np.float32)
        best[liked] = _likes_total(ctx, group, _likes_parts(ctx, group, block), n, center, spread, block.warm)
    owners = [(i, k) for i, v in enumerate(vecs) for k in range(len(v.topics))]
    if owners:
        # Members often share topics: score each distinct topic once.
        texts = [vecs[i].topics[k] for i, k in owners]
        distinct = {t: j for j, t in enumerate(dict.fromkeys(texts))}
        first = {t: pos for pos, t in reversed(list(enumerate(texts)))}
        stacked = _stack_rows([v.topic_matrix for v in vecs if v.topic_matrix is not None])
        matrix = stacked[[first[t] for t in distinct]]
        raw = (matrix @ block.tfidf_t).toarray()
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
        raw = _mix_scores(ctx, [vecs[i].negative_rows for i in negative], [vecs[i].negative_coef for i in negative], block)
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
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda a: each(a, score_many(ctx, vecs[a : a + chunk], block)), starts))


# -- storage -----------------------------------------------------------------------


def _put_sparse(out: dict[str, np.ndarray], name: str, m: sp.csr_matrix | None) -> None:
    if m is not None:
        m = m.tocsr()
        out[f"{name}.data"], out[f"{name}.indices"], out[f"{name}.indptr"] = m.data, m.indices, m.indptr
        out[f"{name}.shape"] = np.array(m.shape)


def _get_sparse(data: dict[str, np.ndarray], name: str) -> sp.csr_matrix | None:
    if f"{name}.data" not in data:
        return None
    return sp.csr_matrix(
        (data[f"{name}.data"], data[f"{name}.indices"], data[f"{name}.indptr"]), shape=tuple(data[f"{name}.shape"])
    )


def _scales(values: np.ndarray) -> list[Scale]:
    return [Scale(float(m), float(s)) for m, s in values.reshape(-1, 2)]


def dumps(vec: ProfileVectors) -> bytes:
    """Serialise without pickle (stored in the database)."""
    out: dict[str, np.ndarray] = {
        "topics": np.array(vec.topics, dtype=str),
        "topic_scales": np.array([[s.mean, s.std] for s in vec.topic_scales], dtype=np.float64).reshape(-1, 2),
        "part_names": np.array(list(vec.part_scales), dtype=str),
        "part_scales": np.array([[s.mean, s.std] for s in vec.part_scales.values()], dtype=np.float64).reshape(-1, 2),
        "likes_scale": np.array([vec.likes_scale.mean, vec.likes_scale.std]),
        "negative_scale": np.array([vec.negative_scale.mean, vec.negative_scale.std]),
        "liked_rows": vec.liked_rows, "liked_coef": vec.liked_coef,
        "negative_rows": vec.negative_rows, "negative_coef": vec.negative_coef,
    }
    for name in ("latent", "semantic_latent", "semantic_subs"):
        if getattr(vec, name) is not None:
            out[name] = getattr(vec, name)
    for name in ("topic_matrix", "colike"):
        _put_sparse(out, name, getattr(vec, name))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **out)
    return buffer.getvalue()


def loads(blob: bytes) -> ProfileVectors:
    with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
        data = {k: npz[k] for k in npz.files}
    likes, negative = data["likes_scale"], data["negative_scale"]
    return ProfileVectors(
        topics=[str(t) for t in data["topics"]],
        topic_matrix=_get_sparse(data, "topic_matrix"),
        topic_scales=_scales(data["topic_scales"]),
        liked_rows=data["liked_rows"], liked_coef=data["liked_coef"],
        latent=data.get("latent"),
        semantic_latent=data.get("semantic_latent"),
        semantic_subs=data.get("semantic_subs"),
        colike=_get_sparse(data, "colike"),
        part_scales=dict(zip([str(n) for n in data["part_names"]], _scales(data["part_scales"]))),
        likes_scale=Scale(float(likes[0]), float(likes[1])),
        negative_rows=data["negative_rows"], negative_coef=data["negative_coef"],
        negative_scale=Scale(float(negative[0]), float(negative[1])),
    )
