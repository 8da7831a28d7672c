"""Per-member profile vectors: built once when feedback changes, scored in batches.

A profile has up to three parts, each standardised on a fixed reference sample of
papers so their scores are comparable:

* one sub-profile per followed topic (the topic's TF-IDF vector);
* the "likes" part: a blend of the TF-IDF centroid of liked and saved papers
  (time-decayed), the community latent `z`, co-likes and popularity;
* the dismissed papers' centroid, which pushes similar papers down.

The likes parts are combined as standard scores (weights measured on CiteULike);
the likes part and every topic are then put on one relative scale (0 = a typical
paper, 1 = as close as the closest 0.5 % of papers), and a paper's score is the
best of them, so several interests each get picks, labelled with what they
matched, minus the dismissal penalty. See docs/quality.md for the measurements behind the weights.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from recommender.community import CoLikes, CommunityModel
from recommender.index import PaperIndex

LIKES_LABEL = "papers you liked"
# Weights of the standardised parts of the likes score (measured on CiteULike).
WEIGHTS = {"centroid": 1.0, "latent": 2.0, "colike": 1.0, "popularity": 1.0}
DISMISS_WEIGHT = 0.5
TOP_QUANTILE = 0.995
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

    def block(self, rows: np.ndarray) -> PaperBlock:
        return PaperBlock.of(self, rows)


@dataclass
class PaperBlock:
    """Candidate papers in every representation the parts of a profile need."""

    rows: np.ndarray
    tfidf_t: sp.csc_matrix  # terms x papers
    latent_t: np.ndarray | None  # rank x papers
    colike_t: sp.csc_matrix | None  # members x papers
    popularity: np.ndarray | None

    @classmethod
    def of(cls, ctx: ScoringContext, rows: np.ndarray) -> PaperBlock:
        block = ctx.index.matrix[rows]
        latent = ctx.community.latent(block).T.copy() if ctx.community is not None else None
        colike = pop = None
        if ctx.colikes is not None:
            colike = ctx.colikes.normalized[rows].T.tocsc()
            pop = ctx.colikes.popularity[rows]
        return cls(rows, block.T.tocsc(), latent, colike, pop)


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
    centroid: sp.csr_matrix | None = None  # 1 x terms
    latent: np.ndarray | None = None  # rank
    colike: sp.csr_matrix | None = None  # 1 x members
    part_scales: dict[str, Scale] = field(default_factory=dict)
    likes_scale: Scale = field(default_factory=Scale)
    negative: sp.csr_matrix | None = None
    negative_scale: Scale = field(default_factory=Scale)
    liked_rows: list[int] = field(default_factory=list)

    @property
    def has_likes(self) -> bool:
        return self.centroid is not None and self.likes_scale.usable

    @property
    def empty(self) -> bool:
        return not self.has_likes and not self.topics

    def labels(self) -> list[str]:
        """Label of each part, in the order `score` reports them: likes first, then topics."""
        return [LIKES_LABEL, *self.topics]


def _weighted_centroid(matrix: sp.csr_matrix, rows: list[int], weights: np.ndarray) -> sp.csr_matrix:
    block = matrix[rows]
    mean = sp.csr_matrix(weights @ block) if len(rows) > 1 else sp.csr_matrix(block * float(weights[0]))
    return normalize(mean).astype(np.float32).tocsr()


def _weights(ids: list[str], rows_of: dict[str, int], given: list[float]) -> tuple[list[int], np.ndarray]:
    pairs = [(rows_of[i], given[n] if n < len(given) else 1.0) for n, i in enumerate(ids) if i in rows_of]
    rows = [r for r, _ in pairs]
    return rows, np.array([w for _, w in pairs], dtype=np.float32)


def likes_parts(ctx: ScoringContext, vec: ProfileVectors, block: PaperBlock) -> dict[str, np.ndarray]:
    """Raw scores of the likes parts for one profile on a block of papers."""
    parts: dict[str, np.ndarray] = {}
    if vec.centroid is not None:
        parts["centroid"] = (vec.centroid @ block.tfidf_t).toarray().ravel()
    if vec.latent is not None and block.latent_t is not None:
        parts["latent"] = vec.latent @ block.latent_t
    if vec.colike is not None and block.colike_t is not None:
        parts["colike"] = (vec.colike @ block.colike_t).toarray().ravel()
        parts["popularity"] = block.popularity
    return parts


def combine_likes(ctx: ScoringContext, vec: ProfileVectors, parts: dict[str, np.ndarray]) -> np.ndarray:
    total = 0.0
    for name, raw in parts.items():
        scale = vec.part_scales.get(name)
        if scale is not None and scale.usable:
            total = total + ctx.weights.get(name, 0.0) * scale.apply(raw)
    return np.asarray(total, dtype=np.float64)


def build_vectors(ctx: ScoringContext, inputs: ProfileInputs, topic: str | None = None) -> ProfileVectors:
    """Turn a target's topics, likes and dismissals into scoreable vectors."""
    index = ctx.index
    vec = ProfileVectors()
    reference = ctx.block(ctx.reference_rows) if ctx.reference_rows.size else None
    topics = [topic] if topic else list(inputs.topics)
    if topics:
        embedded = index.embed(topics)
        keep = [i for i in range(len(topics)) if embedded[i].nnz]
        if keep:
            vec.topics = [topics[i] for i in keep]
            vec.topic_matrix = embedded[keep].tocsr()
            raw = (vec.topic_matrix @ reference.tfidf_t).toarray() if reference else np.zeros((len(keep), 0))
            vec.topic_scales = [Scale.relative(row, center=0.0) for row in raw]  # cosine: 0 = unrelated
    rows, weights = _weights(inputs.liked, index.row, inputs.liked_weights)
    if rows and not topic:
        vec.liked_rows = rows
        vec.centroid = _weighted_centroid(index.matrix, rows, weights)
        if ctx.community is not None:
            vec.latent = ctx.community.member_vector(ctx.community.latent(index.matrix[rows]), weights)
        if ctx.colikes is not None:
            vec.colike = ctx.colikes.member_vector(rows)
        if reference is not None:
            parts = likes_parts(ctx, vec, reference)
            vec.part_scales = {name: Scale.of(raw) for name, raw in parts.items()}
            vec.likes_scale = Scale.relative(combine_likes(ctx, vec, parts))
    rows, weights = _weights(inputs.dismissed, index.row, inputs.dismissed_weights)
    if rows:
        vec.negative = _weighted_centroid(index.matrix, rows, weights)
        if reference is not None:
            vec.negative_scale = Scale.relative((vec.negative @ reference.tfidf_t).toarray(), center=0.0)
    return vec


def score(ctx: ScoringContext, vec: ProfileVectors, block: PaperBlock) -> tuple[np.ndarray, np.ndarray]:
    """(score, winning part) per paper: part 0 is the likes part, 1.. the topics."""
    n = block.rows.size
    candidates = [np.full(n, -np.inf)]
    if vec.has_likes:
        candidates[0] = vec.likes_scale.apply(combine_likes(ctx, vec, likes_parts(ctx, vec, block)))
    if vec.topic_matrix is not None:
        raw = (vec.topic_matrix @ block.tfidf_t).toarray()
        candidates += [s.apply(row) for s, row in zip(vec.topic_scales, raw)]
    stacked = np.vstack(candidates)
    best, which = stacked.max(axis=0), stacked.argmax(axis=0)
    if vec.negative is not None and vec.negative_scale.usable:
        penalty = vec.negative_scale.apply((vec.negative @ block.tfidf_t).toarray().ravel())
        best = best - DISMISS_WEIGHT * np.clip(penalty, 0, None)
    return best.astype(np.float32), which


def _stack(items: list[sp.csr_matrix]) -> sp.csr_matrix:
    return sp.vstack(items, format="csr") if len(items) > 1 else items[0].tocsr()


def score_many(ctx: ScoringContext, vecs: list[ProfileVectors], block: PaperBlock) -> np.ndarray:
    """`score` for many profiles at once (users x papers), as batched matrix products."""
    n_users, n = len(vecs), block.rows.size
    best = np.full((n_users, n), -np.inf, dtype=np.float32)
    liked = [i for i, v in enumerate(vecs) if v.has_likes]
    if liked:
        total = np.zeros((len(liked), n), dtype=np.float32)
        group = [vecs[i] for i in liked]

        def add(name: str, raw: np.ndarray, have: list[int]) -> None:
            scales = [group[j].part_scales.get(name) for j in have]
            mean = np.array([sc.mean if sc else 0.0 for sc in scales], dtype=np.float32)
            std = np.array([sc.std if sc and sc.usable else np.inf for sc in scales], dtype=np.float32)
            total[have] += ctx.weights.get(name, 0.0) * (raw - mean[:, None]) / std[:, None]

        add("centroid", (_stack([v.centroid for v in group]) @ block.tfidf_t).toarray(), list(range(len(group))))
        have = [j for j, v in enumerate(group) if v.latent is not None]
        if have and block.latent_t is not None:
            add("latent", np.vstack([group[j].latent for j in have]) @ block.latent_t, have)
        have = [j for j, v in enumerate(group) if v.colike is not None]
        if have and block.colike_t is not None:
            add("colike", (_stack([group[j].colike for j in have]) @ block.colike_t).toarray(), have)
            add("popularity", np.broadcast_to(block.popularity, (len(have), n)), have)
        center = np.array([v.likes_scale.mean for v in group], dtype=np.float32)
        spread = np.array([v.likes_scale.std for v in group], dtype=np.float32)
        best[liked] = (total - center[:, None]) / spread[:, None]
    owners = [i for i, v in enumerate(vecs) for _ in range(len(v.topics))]
    if owners:
        topics = _stack([v.topic_matrix for v in vecs if v.topic_matrix is not None])
        spread = np.array([sc.std for v in vecs for sc in v.topic_scales], dtype=np.float32)
        raw = (topics @ block.tfidf_t).toarray() / spread[:, None]
        starts = np.flatnonzero(np.r_[True, np.diff(owners) != 0])
        users = np.array(owners)[starts]
        best[users] = np.maximum(best[users], np.maximum.reduceat(raw, starts, axis=0))
    negative = [i for i, v in enumerate(vecs) if v.negative is not None and v.negative_scale.usable]
    if negative:
        raw = (_stack([vecs[i].negative for i in negative]) @ block.tfidf_t).toarray()
        spread = np.array([vecs[i].negative_scale.std for i in negative], dtype=np.float32)
        best[negative] -= DISMISS_WEIGHT * np.clip(raw / spread[:, None], 0, None)
    return best


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
        "liked_rows": np.array(vec.liked_rows, dtype=np.int64),
    }
    if vec.latent is not None:
        out["latent"] = vec.latent
    for name in ("topic_matrix", "centroid", "colike", "negative"):
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
        centroid=_get_sparse(data, "centroid"),
        latent=data.get("latent"),
        colike=_get_sparse(data, "colike"),
        part_scales=dict(zip([str(n) for n in data["part_names"]], _scales(data["part_scales"]))),
        likes_scale=Scale(float(likes[0]), float(likes[1])),
        negative=_get_sparse(data, "negative"),
        negative_scale=Scale(float(negative[0]), float(negative[1])),
        liked_rows=[int(r) for r in data["liked_rows"]],
    )
