"""Profile vectors: what shapes a target's picks (`ProfileInputs`) turned into scoreable
vectors (`ProfileVectors`), built once when feedback changes.

A profile has up to three parts, each standardised on a fixed reference sample of
papers so their scores are comparable:

* one sub-profile per followed topic: its TF-IDF vector expanded with the terms of its
  best-matching papers, and their community signal (ranking/topics.py);
* the "likes" part: a blend of the TF-IDF centroid of liked and saved papers
  (time-decayed), the community latent `z`, co-likes and popularity, and with the
  semantic extra (ranking/semantic.py) a latent and sub-profiles on sentence embeddings;
* the dismissed papers' centroid, which pushes similar papers down.

The likes parts are combined as standard scores (weights measured on CiteULike;
papers nobody has liked yet, i.e. every new paper, weigh the text parts with weights
of their own, since they have no co-likes);
the likes part and every topic are then put on one relative scale (0 = a typical
paper, 1 = as close as the 5 closest papers of the reference sample), and a paper's score is the
best of them, so several interests each get picks, labelled with what they
matched, minus the dismissal penalty. See docs/quality.md for the measurements behind the weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from recommender.ranking.context import ScoringContext
from recommender.ranking.index import PaperIndex
from recommender.ranking.likes import likes_parts, likes_total, mix_scores
from recommender.ranking.scale import EPS, Scale
from recommender.ranking.semantic import member_vectors
from recommender.ranking.topics import expand_topics, topic_community, topic_scores
from recommender.ranking.vocabulary import embed_topics
from recommender.ranking.weights import LIKES_LABEL
# What `build_vectors` makes, named in `ScoringContext.version`: a change in what it computes
# (2: topics carry the community parts of their best papers; 3: topics with their spelling
# variants, gates on length-weighed cosines) rebuilds every stored vector.
PROFILE_FORMAT = 3


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
    topic_latent: np.ndarray | None = None  # topics x rank: the community latent of each topic's best papers, weighted
    topic_colike: sp.csr_matrix | None = None  # topics x members: their co-likes, weighted
    topic_offset: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))  # per topic
    topic_gate: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))  # per topic (inf: no parts)
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
    version: str = ""  # the ScoringContext.version these were built against

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
        return sp.csr_matrix(self.liked_coef[None, :].astype(np.float32)) @ index.matrix[self.liked_rows]  # sparse: few terms


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


def build_vectors(ctx: ScoringContext, inputs: ProfileInputs, topic: str | None = None) -> ProfileVectors:
    """Turn a target's topics, likes and dismissals into scoreable vectors."""
    index = ctx.index
    vec = ProfileVectors(version=ctx.version)
    reference = ctx.reference()
    topics = [topic] if topic else list(inputs.topics)
    if topics:
        embedded = embed_topics(index, topics)
        keep = [i for i in range(len(topics)) if embedded[i].nnz]
        if keep:
            vec.topics = [topics[i] for i in keep]
            vec.topic_matrix = expand_topics(index, embedded[keep].tocsr())
            vec.topic_offset = np.zeros(len(keep), dtype=np.float32)
            vec.topic_gate = np.full(len(keep), np.inf, dtype=np.float32)
            if reference is not None:
                parts = topic_community(ctx, vec.topic_matrix, reference)
                vec.topic_latent, vec.topic_colike = parts.latent, parts.colike
                vec.topic_offset, vec.topic_gate = parts.offset, parts.gate
                raw = topic_scores([vec], [(0, k) for k in range(len(keep))], reference)
            else:
                raw = np.zeros((len(keep), 0))
            vec.topic_scales = [Scale.relative(row, center=0.0) for row in raw]  # 0 = unrelated
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
            parts = likes_parts(ctx, [vec], reference)
            vec.part_scales = {name: Scale.of(raw[0]) for name, (_, raw) in parts.items()}
            # The member's own liked papers are left out of the relative scale: in a small
            # library they would set its top and push their neighbours under the cutoff.
            others = ~np.isin(reference.rows, vec.liked_rows)
            if not others.any():
                others[:] = True
            # On the scale of new papers (all without likes): what digests rank.
            vec.likes_scale = Scale.relative(likes_total(ctx, [vec], parts, reference.rows.size)[0][others])
    vec.negative_rows, vec.negative_coef = _unit_mix(index.matrix, inputs.dismissed, index.row, inputs.dismissed_weights)
    if vec.negative_rows.size and reference is not None:
        raw = mix_scores(ctx, [vec.negative_rows], [vec.negative_coef], reference)
        vec.negative_scale = Scale.relative(raw, center=0.0)
    return vec


def heaviest_terms(index: PaperIndex, vec: ProfileVectors, limit: int = 10) -> list[str]:
    """The terms that weigh most in a profile: each topic (as expanded) and the liked papers'
    centroid count as one unit vector each; a term inside another chosen phrase is left out."""
    total = np.zeros(len(index.terms), dtype=np.float64)
    if vec.topic_matrix is not None and vec.topic_matrix.shape[0]:
        total += np.asarray(normalize(vec.topic_matrix).sum(axis=0)).ravel()
    if vec.liked_rows.size:
        total += normalize(vec.centroid(index)).toarray().ravel()
    chosen: list[str] = []
    for i in np.argsort(-total)[: limit * 4]:
        if total[i] <= 0:
            break
        term = str(index.terms[i])
        words = set(term.split())
        if any(words <= set(c.split()) for c in chosen):
            continue
        chosen = [c for c in chosen if not set(c.split()) <= words]  # "graph" adds nothing beside "graph neural"
        chosen.append(term)
        if len(chosen) >= limit:
            break
    return chosen
