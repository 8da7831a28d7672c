"""Many members' vectors as one set of matrices (a row per member), scored and picked
as a whole: what a daily digest for thousands of members runs.

`Population.stack` turns `ProfileVectors` into the matrices once; `select` then scores
member chunks against one block of candidates with batched products (never a
members x corpus matrix, and only one chunk x candidates at a time), applies the
recency weight, exclusions and threshold, keeps each member's best candidates with
`argpartition` and runs the diversity re-ranking (MMR) for every member of the chunk
at once. Each distinct topic is scored once per digest, with its community parts, by the
function `topics.topic_scores` uses (`topics.community_scores`). Its picks are those of
`ranker.rank` for each member, computed one by one
(tests/recommender/ranking/test_population.py, and `paperbot bench digest` checks it
on a sample of every run).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from recommender.ranking.block import PaperBlock
from recommender.ranking.community import RowLatents
from recommender.ranking.context import ScoringContext
from recommender.ranking.kernels import add_mix, rows_max, subtract_positive, weigh_and_shortlist
from recommender.ranking.likes import community_evidence, part_weight, stack_rows
from recommender.ranking.profile import ProfileInputs, ProfileVectors
from recommender.ranking.scale import EPS, Scale, relative_rows as _relative
from recommender.ranking.threads import one_blas_thread, parallel, small_pages
from recommender.ranking.topics import TopicCommunity, community_scores, expand_topics, topic_community
from recommender.ranking.vocabulary import embed_topics
from recommender.ranking.weights import COMMUNITY_PARTS, DISMISS_WEIGHT, FULL_HISTORY

PARTS = ("centroid", "latent", "colike", "popularity")
CHUNK = 2000
POOL_FACTOR = 5  # as ranker.POOL_FACTOR: MMR re-ranks this many times `limit` best papers


def _mix(rows: Sequence[np.ndarray], coefs: Sequence[np.ndarray], width: int) -> sp.csr_matrix:
    indptr = np.concatenate([[0], np.cumsum([r.size for r in rows])]).astype(np.int64)
    data = np.concatenate([np.asarray(c, dtype=np.float32) for c in coefs]) if rows else np.zeros(0, np.float32)
    indices = np.concatenate([np.asarray(r, dtype=np.int64) for r in rows]) if rows else np.zeros(0, np.int64)
    return sp.csr_matrix((data, indices, indptr), shape=(len(rows), width))


@dataclass
class Population:
    """The vectors of `size` members, as matrices (ranking/profile.py has one member's)."""

    version: str
    liked: sp.csr_matrix  # members x index rows: the liked papers' centroid coefficients
    latent: np.ndarray | None  # members x rank (zero rows: none)
    has_latent: np.ndarray  # bool, members
    has_colike: np.ndarray  # bool, members
    part_mean: dict[str, np.ndarray]  # part -> members
    part_std: dict[str, np.ndarray]  # part -> members (inf: the part is absent or flat)
    likes_center: np.ndarray
    likes_spread: np.ndarray
    has_likes: np.ndarray
    topics: sp.csr_matrix  # distinct topic vectors x terms
    topic_latent: np.ndarray | None  # distinct topics x rank: their community parts (ranking/topics.py) ...
    topic_colike: sp.csr_matrix | None  # distinct topics x members ...
    topic_offset: np.ndarray  # distinct topics ...
    topic_gate: np.ndarray  # ... (inf: no community parts)
    topic_member: np.ndarray  # (member, topic) pairs, sorted by member ...
    topic_id: np.ndarray  # ... the row of `topics` ...
    topic_std: np.ndarray  # ... its relative scale ...
    topic_slot: np.ndarray  # ... and its place among the member's topics (0-based)
    negative: sp.csr_matrix  # members x index rows: the dismissed papers' centroid coefficients
    negative_std: np.ndarray
    has_negative: np.ndarray
    topic_texts: list[str] = field(default_factory=list)  # the distinct topics, as the members follow them
    _topic_starts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)

    def __post_init__(self) -> None:
        # Where each member's topic pairs start (members without topics: start == end).
        self._topic_starts = np.searchsorted(self.topic_member, np.arange(self.size + 1))

    @property
    def size(self) -> int:
        return int(self.has_likes.size)

    @property
    def liked_count(self) -> np.ndarray:
        return np.diff(self.liked.indptr)

    @classmethod
    def stack(cls, ctx: ScoringContext, vecs: Sequence[ProfileVectors]) -> Population:
        """The matrices of these members' vectors (built against `ctx`)."""
        ctx.check(vecs)
        n, width = len(vecs), len(ctx.index)
        rank = ctx.community.rank if ctx.community is not None else 0
        latent = np.zeros((n, rank), dtype=np.float32) if rank else None
        has_latent = np.array([v.latent is not None and v.liked_rows.size > 0 for v in vecs], dtype=bool)
        if latent is not None and has_latent.any():
            latent[has_latent] = np.vstack([vecs[i].latent for i in np.flatnonzero(has_latent)])
        mean = {p: np.zeros(n, dtype=np.float32) for p in PARTS}
        std = {p: np.full(n, np.inf, dtype=np.float32) for p in PARTS}
        for i, v in enumerate(vecs):
            for name, sc in v.part_scales.items():
                if name in mean:
                    mean[name][i] = sc.mean
                    std[name][i] = sc.std if sc.usable else np.inf
        distinct: dict[str, int] = {}
        rows: list[sp.csr_matrix] = []
        parts: list[TopicCommunity] = []
        member, tid, tstd, slot = [], [], [], []
        for i, v in enumerate(vecs):
            for k, topic in enumerate(v.topics):
                if topic not in distinct:
                    distinct[topic] = len(distinct)
                    rows.append(v.topic_matrix[k])
                    parts.append(_topic_row(TopicCommunity(v.topic_latent, v.topic_colike, v.topic_offset, v.topic_gate), k))
                member.append(i)
                tid.append(distinct[topic])
                tstd.append(v.topic_scales[k].std)
                slot.append(k)
        terms = ctx.index.matrix.shape[1]
        topics = sp.vstack(rows).tocsr() if rows else sp.csr_matrix((0, terms), dtype=np.float32)
        community = _joined(parts)
        return cls(
            version=ctx.version,
            liked=_mix([v.liked_rows for v in vecs], [v.liked_coef for v in vecs], width),
            latent=latent, has_latent=has_latent,
            has_colike=np.array([v.colike is not None and v.liked_rows.size > 0 for v in vecs], dtype=bool),
            part_mean=mean, part_std=std,
            likes_center=np.array([v.likes_scale.mean for v in vecs], dtype=np.float32),
            likes_spread=np.array([v.likes_scale.std for v in vecs], dtype=np.float32),
            has_likes=np.array([v.has_likes for v in vecs], dtype=bool),
            topics=topics.astype(np.float32), topic_latent=community.latent, topic_colike=community.colike,
            topic_offset=community.offset, topic_gate=community.gate,
            topic_member=np.array(member, dtype=np.int64), topic_id=np.array(tid, dtype=np.int64),
            topic_std=np.array(tstd, dtype=np.float32), topic_slot=np.array(slot, dtype=np.int64),
            negative=_mix([v.negative_rows for v in vecs], [v.negative_coef for v in vecs], width),
            negative_std=np.array([v.negative_scale.std for v in vecs], dtype=np.float32),
            has_negative=np.array([v.has_negative for v in vecs], dtype=bool),
            topic_texts=list(distinct),
        )

    def head(self, count: int) -> Population:
        """The first `count` members (views where possible)."""
        pairs = int(self._topic_starts[min(count, self.size)])
        return Population(
            version=self.version, liked=self.liked[:count], latent=None if self.latent is None else self.latent[:count],
            has_latent=self.has_latent[:count], has_colike=self.has_colike[:count],
            part_mean={k: v[:count] for k, v in self.part_mean.items()},
            part_std={k: v[:count] for k, v in self.part_std.items()},
            likes_center=self.likes_center[:count], likes_spread=self.likes_spread[:count],
            has_likes=self.has_likes[:count], topics=self.topics, topic_latent=self.topic_latent,
            topic_colike=self.topic_colike, topic_offset=self.topic_offset, topic_gate=self.topic_gate,
            topic_member=self.topic_member[:pairs],
            topic_id=self.topic_id[:pairs], topic_std=self.topic_std[:pairs], topic_slot=self.topic_slot[:pairs],
            negative=self.negative[:count], negative_std=self.negative_std[:count], has_negative=self.has_negative[:count],
            topic_texts=self.topic_texts,
        )

    def take(self, rows: Sequence[int] | np.ndarray) -> Population:
        """Members `rows`, in that order (copies: the rows of memory-mapped parts are read), with
        only the distinct topics they follow, ordered by their first follower as `stack` orders them."""
        rows = np.asarray(rows, dtype=np.int64)
        lo, hi = self._topic_starts[rows], self._topic_starts[rows + 1]
        pairs = Population._ranges(lo, hi)
        old = np.asarray(self.topic_id[pairs], dtype=np.int64)
        kept, first = np.unique(old, return_index=True)
        kept = kept[np.argsort(first, kind="stable")]
        renumber = np.zeros(self.topics.shape[0], dtype=np.int64)
        renumber[kept] = np.arange(kept.size)
        return Population(
            version=self.version, liked=Population._take_csr(self.liked, rows),
            latent=None if self.latent is None else np.array(self.latent[rows]),
            has_latent=np.array(self.has_latent[rows]), has_colike=np.array(self.has_colike[rows]),
            part_mean={k: np.array(v[rows]) for k, v in self.part_mean.items()},
            part_std={k: np.array(v[rows]) for k, v in self.part_std.items()},
            likes_center=np.array(self.likes_center[rows]), likes_spread=np.array(self.likes_spread[rows]),
            has_likes=np.array(self.has_likes[rows]), topics=Population._take_csr(self.topics, kept),
            topic_latent=None if self.topic_latent is None else np.array(self.topic_latent[kept]),
            topic_colike=None if self.topic_colike is None else Population._take_csr(self.topic_colike, kept),
            topic_offset=np.array(self.topic_offset[kept]), topic_gate=np.array(self.topic_gate[kept]),
            topic_member=np.repeat(np.arange(rows.size, dtype=np.int64), hi - lo), topic_id=renumber[old],
            topic_std=np.array(self.topic_std[pairs]), topic_slot=np.array(self.topic_slot[pairs], dtype=np.int64),
            negative=Population._take_csr(self.negative, rows), negative_std=np.array(self.negative_std[rows]),
            has_negative=np.array(self.has_negative[rows]), topic_texts=[self.topic_texts[t] for t in kept],
        )

    @classmethod
    def concat(cls, pops: Sequence[Population]) -> Population:
        """The members of several populations (of one version), one after the other. Distinct topics
        are merged by their text, ordered by their first follower, each with the rows of the first
        population that has a follower of it: what `stack` makes of the same members' vectors."""
        if not pops:
            raise ValueError("concat needs at least one population")
        if len({p.version for p in pops}) > 1:
            raise ValueError("concat of populations of different versions")
        if len(pops) == 1:
            return pops[0]
        sizes = np.array([p.size for p in pops], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(sizes)])
        # Each (member, topic) pair's topic named by its text, numbered over all populations.
        named: dict[str, int] = {}
        global_ids = [np.array([named.setdefault(t, len(named)) for t in p.topic_texts], dtype=np.int64) for p in pops]
        pair_topic = np.concatenate([g[np.asarray(p.topic_id, dtype=np.int64)] for g, p in zip(global_ids, pops)])
        pair_source = np.repeat(np.arange(len(pops)), [p.topic_id.size for p in pops])
        pair_local = np.concatenate([np.asarray(p.topic_id, dtype=np.int64) for p in pops])
        used, first = np.unique(pair_topic, return_index=True)
        order = np.argsort(first, kind="stable")
        used, first = used[order], first[order]  # the topics in their first follower's order ...
        renumber = np.zeros(len(named), dtype=np.int64)
        renumber[used] = np.arange(used.size)
        source, local = pair_source[first], pair_local[first]  # ... each from its first follower's population
        picked = [(s, np.flatnonzero(source == s)) for s in range(len(pops))]
        placed = np.concatenate([at for _, at in picked]) if picked else np.zeros(0, np.int64)
        back = np.argsort(placed, kind="stable")  # rows stacked by population, put back in topic order
        terms = pops[0].topics.shape[1]
        topic_rows = [Population._take_csr(pops[s].topics, local[at]) for s, at in picked]
        topics = Population._take_csr(Population._stack_csr(topic_rows, terms), back)
        community = _joined([
            TopicCommunity(
                None if pops[s].topic_latent is None else np.asarray(pops[s].topic_latent[local[at]]),
                None if pops[s].topic_colike is None else Population._take_csr(pops[s].topic_colike, local[at]),
                np.asarray(pops[s].topic_offset[local[at]]), np.asarray(pops[s].topic_gate[local[at]]))
            for s, at in picked
        ])
        if not used.size:  # as `stack` makes them without topics
            community = TopicCommunity(None, None, community.offset, community.gate)
        width = pops[0].liked.shape[1]
        ranks = [p.latent.shape[1] for p in pops if p.latent is not None]
        latent = None
        if ranks:
            latent = np.concatenate([np.asarray(p.latent, dtype=np.float32) if p.latent is not None
                                     else np.zeros((p.size, ranks[0]), np.float32) for p in pops])
        join = lambda name: np.concatenate([np.asarray(getattr(p, name)) for p in pops])  # noqa: E731
        texts = list(named)
        return cls(
            version=pops[0].version, liked=Population._stack_csr([p.liked for p in pops], width),
            latent=latent, has_latent=join("has_latent"), has_colike=join("has_colike"),
            part_mean={k: np.concatenate([np.asarray(p.part_mean[k]) for p in pops]) for k in pops[0].part_mean},
            part_std={k: np.concatenate([np.asarray(p.part_std[k]) for p in pops]) for k in pops[0].part_std},
            likes_center=join("likes_center"), likes_spread=join("likes_spread"), has_likes=join("has_likes"),
            topics=topics,
            topic_latent=None if community.latent is None else community.latent[back],
            topic_colike=None if community.colike is None else Population._take_csr(community.colike, back),
            topic_offset=community.offset[back], topic_gate=community.gate[back],
            topic_member=np.concatenate([np.asarray(p.topic_member, dtype=np.int64) + a for p, a in zip(pops, starts)]),
            topic_id=renumber[pair_topic], topic_std=join("topic_std"),
            topic_slot=np.concatenate([np.asarray(p.topic_slot, dtype=np.int64) for p in pops]),
            negative=Population._stack_csr([p.negative for p in pops], width), negative_std=join("negative_std"),
            has_negative=join("has_negative"), topic_texts=[texts[t] for t in used],
        )

    @staticmethod
    def _ranges(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """lo[0]..hi[0], lo[1]..hi[1], ... as one array of positions."""
        count = np.asarray(hi, dtype=np.int64) - np.asarray(lo, dtype=np.int64)
        total = int(count.sum())
        if not total:
            return np.zeros(0, dtype=np.int64)
        return np.arange(total, dtype=np.int64) + np.repeat(np.asarray(lo, dtype=np.int64) - (np.cumsum(count) - count), count)

    @staticmethod
    def _take_csr(m: sp.csr_matrix, rows: np.ndarray) -> sp.csr_matrix:
        """Rows of a CSR matrix (e.g. over memory-mapped arrays), copied, with int64 indices."""
        rows = np.asarray(rows, dtype=np.int64)
        lo, hi = np.asarray(m.indptr[rows], dtype=np.int64), np.asarray(m.indptr[rows + 1], dtype=np.int64)
        at = Population._ranges(lo, hi)
        indptr = np.concatenate([[0], np.cumsum(hi - lo)]).astype(np.int64)
        return sp.csr_matrix((np.asarray(m.data[at]), np.asarray(m.indices[at], dtype=np.int64), indptr),
                             shape=(rows.size, m.shape[1]))

    @staticmethod
    def _stack_csr(mats: Sequence[sp.csr_matrix], width: int) -> sp.csr_matrix:
        """CSR matrices of one width, one under the other, with int64 indices."""
        if not mats:
            return sp.csr_matrix((0, width), dtype=np.float32)
        data = np.concatenate([np.asarray(m.data) for m in mats])
        indices = np.concatenate([np.asarray(m.indices, dtype=np.int64) for m in mats])
        counts = np.concatenate([np.diff(np.asarray(m.indptr, dtype=np.int64)) for m in mats])
        indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return sp.csr_matrix((data, indices, indptr), shape=(counts.size, width))

    def vectors(self, ctx: ScoringContext, i: int) -> ProfileVectors:
        """Member i's vectors, one `ProfileVectors` as `build_vectors` makes them (what the
        profile store keeps per member), from a population built in one batch."""
        vec = ProfileVectors(version=self.version)
        lo, hi = int(self._topic_starts[i]), int(self._topic_starts[i + 1])
        if hi > lo:
            ids = self.topic_id[lo:hi]
            vec.topics = [self.topic_texts[t] for t in ids]
            vec.topic_matrix = self.topics[ids]
            vec.topic_scales = [Scale(0.0, float(s)) for s in self.topic_std[lo:hi]]
            vec.topic_latent = None if self.topic_latent is None else self.topic_latent[ids]
            vec.topic_colike = None if self.topic_colike is None else self.topic_colike[ids]
            vec.topic_offset, vec.topic_gate = self.topic_offset[ids], self.topic_gate[ids]
        a, b = self.liked.indptr[i], self.liked.indptr[i + 1]
        vec.liked_rows = self.liked.indices[a:b].astype(np.int64)
        vec.liked_coef = self.liked.data[a:b].astype(np.float32)
        if b > a:
            if self.latent is not None and self.has_latent[i]:
                vec.latent = self.latent[i].copy()
            if ctx.colikes is not None and self.has_colike[i]:
                vec.colike = ctx.colikes.member_vector(vec.liked_rows.tolist())
            have = {"centroid": True, "latent": bool(self.has_latent[i]), "colike": bool(self.has_colike[i]),
                    "popularity": bool(self.has_colike[i])}
            std = {p: float(self.part_std[p][i]) for p in PARTS}
            vec.part_scales = {p: Scale(float(self.part_mean[p][i]), std[p] if np.isfinite(std[p]) else 0.0)
                               for p in PARTS if have[p]}  # std 0: flat, left out as inf is
            vec.likes_scale = Scale(float(self.likes_center[i]), float(self.likes_spread[i]))
        a, b = self.negative.indptr[i], self.negative.indptr[i + 1]
        vec.negative_rows = self.negative.indices[a:b].astype(np.int64)
        vec.negative_coef = self.negative.data[a:b].astype(np.float32)
        if b > a:
            vec.negative_scale = Scale(0.0, float(self.negative_std[i]))
        return vec

    def nbytes(self) -> int:
        """Memory held by the matrices."""
        arrays = [self.liked.data, self.liked.indices, self.liked.indptr, self.negative.data, self.negative.indices,
                  self.negative.indptr, self.topics.data, self.topics.indices, self.topics.indptr, self.topic_member,
                  self.topic_id, self.topic_std, self.topic_slot, self.likes_center, self.likes_spread,
                  self.topic_offset, self.topic_gate, *self.part_mean.values(), *self.part_std.values()]
        if self.topic_colike is not None:
            arrays += [self.topic_colike.data, self.topic_colike.indices, self.topic_colike.indptr]
        if self.topic_latent is not None:
            arrays.append(self.topic_latent)
        return int(sum(a.nbytes for a in arrays) + (self.latent.nbytes if self.latent is not None else 0))

    def topic_parts(self, a: int, b: int) -> TopicCommunity:
        """The community parts of distinct topics a..b."""
        return TopicCommunity(None if self.topic_latent is None else self.topic_latent[a:b],
                              None if self.topic_colike is None else self.topic_colike[a:b],
                              self.topic_offset[a:b], self.topic_gate[a:b])


def _joined(parts: Sequence[TopicCommunity]) -> TopicCommunity:
    """The rows of several topics' community parts as one (zero rows where some lack a part,
    which scores as the part's absence)."""
    offset = np.concatenate([p.offset for p in parts]).astype(np.float32) if parts else np.zeros(0, np.float32)
    gate = np.concatenate([p.gate for p in parts]).astype(np.float32) if parts else np.zeros(0, np.float32)
    latent, colike = None, None
    latents = [p.latent for p in parts if p.latent is not None]
    if latents:
        rank = latents[0].shape[1]
        latent = np.vstack([p.latent if p.latent is not None else np.zeros((p.offset.size, rank), np.float32)
                            for p in parts])
    colikes = [p.colike for p in parts if p.colike is not None]
    if colikes:
        width = colikes[0].shape[1]
        colike = stack_rows([sp.csr_matrix(p.colike) if p.colike is not None
                             else sp.csr_matrix((p.offset.size, width), dtype=np.float32) for p in parts])
    return TopicCommunity(latent, colike, offset, gate)


def _topic_row(parts: TopicCommunity, j: int) -> TopicCommunity:
    """Row j of some topics' community parts."""
    return TopicCommunity(None if parts.latent is None else parts.latent[j : j + 1],
                          None if parts.colike is None else parts.colike[j], parts.offset[j : j + 1], parts.gate[j : j + 1])


def topic_raw(pop: Population, block: PaperBlock, step: int = CHUNK, workers: int = 2) -> np.ndarray | None:
    """Raw scores (distinct topics x the block's papers) of the population's topics, as
    `topics.topic_scores` gives them member by member (`step` topics at a time, on
    `workers` threads)."""
    count = pop.topics.shape[0]
    if not count:
        return None
    out = np.empty((count, block.rows.size), dtype=np.float32)

    def part(a: int) -> None:
        b = min(a + step, count)
        out[a:b] = community_scores(pop.topics[a:b], pop.topic_parts(a, b), block)

    parallel(part, range(0, count, step), workers)
    return out


def _topic_spread(pop: Population) -> np.ndarray | None:
    """The relative scale's spread of each distinct topic (one per topic: it depends on the
    topic and the context, not on who follows it)."""
    spread = np.ones(pop.topics.shape[0], dtype=np.float32)
    spread[pop.topic_id] = pop.topic_std
    return spread if np.array_equal(spread[pop.topic_id], pop.topic_std) else None


@dataclass
class Selection:
    """Each member's picks among a block's candidates: positions into the block (-1: none),
    in the order shown (best first), their scores and the part each matched (0: likes)."""

    positions: np.ndarray  # members x limit
    scores: np.ndarray
    parts: np.ndarray

    def of(self, member: int) -> list[tuple[int, float, int]]:
        keep = self.positions[member] >= 0
        return list(zip(self.positions[member][keep].tolist(), self.scores[member][keep].tolist(),
                        self.parts[member][keep].tolist()))


def centroid_scores(ctx: ScoringContext, block: PaperBlock, mix: sp.csr_matrix) -> np.ndarray:
    """Cosines of the centroids `mix` (members x index rows) with the block's papers, through
    the cosines of the mixed papers (kept by the block across chunks)."""
    pos, sims = block.sims(ctx, mix.indices)
    local = sp.csr_matrix((mix.data, pos, mix.indptr), shape=(mix.shape[0], sims.shape[0]))
    return np.asarray(local @ sims, dtype=np.float32)


def colike_scores(sims: np.ndarray | None, used: np.ndarray, mix: sp.csr_matrix, n: int) -> np.ndarray:
    """Co-likes of members' liked papers with n candidates: the sum over liked papers of their
    co-likes `sims` (rows: `used` papers); None when no candidate has likes (all 0)."""
    if sims is None:
        return np.zeros((mix.shape[0], n), dtype=np.float32)
    pos = np.searchsorted(used, mix.indices)
    ones = sp.csr_matrix((np.ones(mix.nnz, np.float32), pos, mix.indptr), shape=(mix.shape[0], used.size))
    return np.asarray(ones @ sims, dtype=np.float32)


class Digest:
    """One digest's candidates against a population: what every chunk shares (the block,
    the cosines of liked and dismissed papers with it, the topics' scores, the candidates'
    pairwise cosines for diversity), computed once."""

    def __init__(self, ctx: ScoringContext, pop: Population, block: PaperBlock, diversity: float, workers: int = 2) -> None:
        if pop.version != ctx.version:
            ctx.check([pop])  # raises StaleProfileError
        self.ctx, self.pop, self.block = ctx, pop, block
        n = block.rows.size
        used = np.union1d(pop.liked.indices, pop.negative.indices)
        # The most used papers first, in case the cache cannot keep them all.
        counts = np.bincount(np.concatenate([pop.liked.indices, pop.negative.indices]), minlength=0)
        block.keep_sims(ctx, used[np.argsort(-counts[used], kind="stable")] if used.size else used)
        self.used = used
        # Each distinct topic's scores on its relative scale (the cosine plus the community
        # parts, ranking/topics.py, over the topic's spread), once per digest.
        self.topic_rel = topic_raw(pop, block, workers=workers)
        spread = _topic_spread(pop)
        self.pair_spread = spread is None  # ... or per (member, topic) pair when they differ in the last bit
        if self.topic_rel is not None and spread is not None:
            self.topic_rel /= spread[:, None]
        self.latent_t = block.latent_t
        self.warm = block.warm
        self.cold = self.warm is None or not self.warm.any()
        self.pair = None
        if diversity > 0:
            self.pair = np.asarray((block.tfidf_t.T @ block.tfidf_t).toarray(), dtype=np.float32)
        evidence = {p: community_evidence(ctx, p) if p in COMMUNITY_PARTS else 1.0 for p in PARTS}
        self.evidence = evidence
        self.weights = {p: part_weight(ctx, p, self.warm) for p in PARTS}
        # The factors' partners in `_likes`' one product: latent, popularity and 1 (the offset).
        rows = [block.latent_t] if block.latent_t is not None and pop.latent is not None else []
        if block.popularity is not None and block.colike_t is not None:
            rows.append(block.popularity[None, :])
        self.dense_t = np.ascontiguousarray(np.vstack([*rows, np.ones((1, n))]), dtype=np.float32)
        self.colike_sims: np.ndarray | None = None
        if ctx.colikes is not None and not self.cold and pop.liked.nnz:
            self.colike_sims = np.asarray((ctx.colikes.normalized[used] @ block.colike_t).toarray(), dtype=np.float32)
        self.n = n
        self.part_type = np.int8 if not pop.topic_slot.size or pop.topic_slot.max() < 126 else np.int32

    def _centroids(self, mix: sp.csr_matrix) -> np.ndarray:
        return centroid_scores(self.ctx, self.block, mix)

    def _likes(self, a: int, b: int, likes: np.ndarray) -> np.ndarray:
        """The likes part of members a..b on their relative scale (chunk x candidates): each
        part standardised and weighted (a gain per member), plus the offset that centres
        them. The parts that are products with dense factors (latent, popularity) and the
        offset come from one BLAS product; the liked papers' cosines and co-likes are added
        into it (ranking/kernels.py)."""
        pop = self.pop
        spread = np.where(likes, pop.likes_spread[a:b], 1.0).astype(np.float32)
        offset = -np.where(likes, pop.likes_center[a:b], 0.0).astype(np.float32) / spread
        history = np.minimum(1.0, pop.liked_count[a:b] / FULL_HISTORY).astype(np.float32)
        parts = [("centroid", np.ones(b - a, bool))]
        if self.latent_t is not None and pop.latent is not None:
            parts.append(("latent", pop.has_latent[a:b]))
        if self.block.colike_t is not None:
            parts += [("colike", pop.has_colike[a:b]), ("popularity", pop.has_colike[a:b])]
        gains: dict[str, np.ndarray] = {}
        per_paper: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]] = []
        for name, have in parts:
            have = have & likes
            if not have.any():
                continue
            mean = np.where(have, pop.part_mean[name][a:b], 0.0).astype(np.float32)
            std = pop.part_std[name][a:b]
            if name in COMMUNITY_PARTS:
                std = std / np.maximum(self.evidence[name] * history, 1e-6)
            weight = self.weights[name]
            if isinstance(weight, float):
                gain = np.where(have, weight / (std * spread), 0.0).astype(np.float32)
                offset -= gain * mean
                gains[name] = gain
            else:  # a weight per paper (`part_weight`)
                per_paper.append((name, have, mean, np.where(have, 1.0 / (std * spread), 0.0).astype(np.float32)))
        columns = []
        if "latent" in gains:
            columns.append(pop.latent[a:b] * gains["latent"][:, None])  # type: ignore[index]
        elif self.latent_t is not None and pop.latent is not None:
            columns.append(np.zeros((b - a, self.latent_t.shape[0]), np.float32))
        if self.block.popularity is not None and self.block.colike_t is not None:
            columns.append(gains.get("popularity", np.zeros(b - a, np.float32))[:, None])
        columns.append(offset[:, None])
        total = np.hstack(columns).astype(np.float32) @ self.dense_t
        if "centroid" in gains:
            mix = pop.liked[a:b]
            pos, sims = self.block.sims(self.ctx, mix.indices)
            data = mix.data * np.repeat(gains["centroid"], np.diff(mix.indptr))
            add_mix(sp.csr_matrix((data, pos, mix.indptr), shape=(b - a, sims.shape[0])), sims, total)
        if "colike" in gains and self.colike_sims is not None:
            mix = pop.liked[a:b]
            data = np.repeat(gains["colike"], np.diff(mix.indptr))
            local = sp.csr_matrix((data, np.searchsorted(self.used, mix.indices), mix.indptr), shape=(b - a, self.used.size))
            add_mix(local, self.colike_sims, total)
        for name, have, mean, inverse in per_paper:
            if name in ("colike", "popularity") and self.cold:
                continue
            who = a + np.flatnonzero(have)
            raw = self._raw(name, who)
            total[have] += (raw * inverse[have, None] - (inverse[have] * mean[have])[:, None]) * self.weights[name]
        return total

    def scores(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, part) of members a..b for every candidate (chunk x candidates): the best of
        the likes part and the topics, less the dismissed papers' pull; the part it is from
        (0: likes, k: the member's topic k; the first of equal bests, as `argmax`)."""
        pop = self.pop
        likes = pop.has_likes[a:b]
        total = self._likes(a, b, likes)
        total[~likes] = -np.inf
        best = total
        which = np.zeros(total.shape, dtype=self.part_type)  # the part each score is from: 0 likes, k topic k
        lo, hi = pop._topic_starts[a], pop._topic_starts[b]
        if hi > lo and self.topic_rel is not None:  # each topic's relative scores, where higher
            rows_max(best, pop.topic_member[lo:hi] - a, self.topic_rel, pop.topic_id[lo:hi],
                     pop.topic_std[lo:hi] if self.pair_spread else None, which, pop.topic_slot[lo:hi] + 1)
        negative = np.flatnonzero(pop.has_negative[a:b])
        if negative.size:
            raw = self._centroids(pop.negative[a + negative])
            subtract_positive(best, negative, raw, pop.negative_std[a + negative], DISMISS_WEIGHT)
        return best, which

    def _raw(self, name: str, who: np.ndarray) -> np.ndarray:
        """A part's raw scores for these members (a part weighed per paper, `_likes`)."""
        pop = self.pop
        if name == "centroid":
            return self._centroids(pop.liked[who])
        if name == "latent":
            return pop.latent[who] @ self.latent_t  # type: ignore[index,operator]
        if name == "colike":
            return self._colikes(pop.liked[who])
        return np.broadcast_to(self.block.popularity, (who.size, self.n))  # type: ignore[arg-type]

    def _colikes(self, mix: sp.csr_matrix) -> np.ndarray:
        return colike_scores(self.colike_sims, self.used, mix, self.n)


def select(
    ctx: ScoringContext, pop: Population, block: PaperBlock, exclude: sp.csr_matrix | None, limit: int,
    min_score: float = 0.0, *, diversity: float = 0.0, recency: np.ndarray | None = None,
    chunk: int = CHUNK, workers: int = 2,
) -> Selection:
    """Every member's picks among the block's candidates, as `ranker.rank` makes them one by one.

    `exclude` (members x candidates, nonzero = leave out: dismissed, saved, liked, sent);
    `recency` (a weight per candidate) multiplies the scores before the threshold."""
    n = block.rows.size
    out = Selection(np.full((pop.size, limit), -1, dtype=np.int64), np.zeros((pop.size, limit), dtype=np.float32),
                    np.zeros((pop.size, limit), dtype=np.int64))
    pool = min(max(limit * POOL_FACTOR, limit), n)
    if n == 0 or limit <= 0:
        return out
    one_blas_thread()
    with small_pages():  # its buffers are made and filled once (ranking/threads.py)
        return _select(ctx, pop, block, exclude, limit, min_score, diversity, recency, chunk, workers, out, pool)


def _select(
    ctx: ScoringContext, pop: Population, block: PaperBlock, exclude: sp.csr_matrix | None, limit: int,
    min_score: float, diversity: float, recency: np.ndarray | None, chunk: int, workers: int, out: Selection, pool: int,
) -> Selection:
    n = block.rows.size
    digest = Digest(ctx, pop, block, diversity, workers)
    weight = recency if recency is not None else np.ones(n, dtype=np.float32)

    def run(a: int) -> None:
        b = min(a + chunk, pop.size)
        scores, which = digest.scores(a, b)
        if exclude is not None:
            part = exclude[a:b]
            scores[np.repeat(np.arange(b - a), np.diff(part.indptr)), part.indices] = -np.inf
        short, values = _shortlist(scores, pool, min_score, weight)
        order = np.lexsort((short, -values), axis=-1)  # best first; ties by position, as a stable sort
        short = np.take_along_axis(short, order, axis=1)
        values = np.take_along_axis(values, order, axis=1)
        valid = values > min_score
        parts = np.take_along_axis(which, short, axis=1).astype(np.int64)
        chosen = _mmr(digest.pair, short, values, valid, parts, limit, diversity)
        picked_values = np.take_along_axis(values, np.maximum(chosen, 0), axis=1)
        picked_values[chosen < 0] = -np.inf
        # Shown best first (ties in the order MMR chose them).
        shown = np.argsort(-picked_values, axis=1, kind="stable")
        chosen = np.take_along_axis(chosen, shown, axis=1)
        ok = chosen >= 0
        at = np.maximum(chosen, 0)
        out.positions[a:b] = np.where(ok, np.take_along_axis(short, at, axis=1), -1)
        out.scores[a:b] = np.where(ok, np.take_along_axis(values, at, axis=1), 0.0)
        out.parts[a:b] = np.where(ok, np.take_along_axis(parts, at, axis=1), 0)

    parallel(run, range(0, pop.size, chunk), workers)
    return out


def _shortlist(scores: np.ndarray, pool: int, min_score: float, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scores times each candidate's `weight` (recency; in place), then each row's `pool`
    best columns and their scores, unordered; only scores above `min_score` can be picked,
    so a row with at most `pool` of them gets just those (the other places: column 0 at
    -inf, never picked), and only the others are partitioned."""
    rows, n = scores.shape
    if pool >= n:
        scores *= weight[None, :]
        short = np.tile(np.arange(n), (rows, 1))
        return short, np.take_along_axis(scores, short, axis=1)
    short, values, counts = weigh_and_shortlist(scores, weight, min_score, pool)
    many = np.flatnonzero(counts > pool)
    if many.size:
        part = scores[many]
        best = np.argpartition(-part, pool - 1, axis=1)[:, :pool]
        short[many] = best
        values[many] = np.take_along_axis(part, best, axis=1)
    return short, values


def _mmr(
    pair: np.ndarray | None, short: np.ndarray, values: np.ndarray, valid: np.ndarray, parts: np.ndarray,
    limit: int, weight: float,
) -> np.ndarray:
    """Columns of `short` each member picks (-1: none), in the order chosen: `ranker.diversify`
    for every row at once (the valid candidates are a prefix of each row, best first)."""
    rows, k = short.shape
    count = valid.sum(axis=1)
    take = np.minimum(count, limit)
    chosen = np.full((rows, limit), -1, dtype=np.int64)
    if weight <= 0 or pair is None or k <= 1:
        cols = np.arange(limit)[None, :]
        return np.where(cols < take[:, None], cols, -1)
    live = np.flatnonzero(take > 0)
    if not live.size:
        return chosen
    s = short[live]
    top = values[live, :1]
    relevance = values[live] / np.maximum(top, 1e-9)
    part = parts[live]
    ok = valid[live].copy()
    picked = np.zeros_like(ok)
    chosen[live, 0] = 0
    picked[:, 0] = True
    closest = pair[s[:, :1], s]  # each candidate's cosine with the picks so far
    nparts = int(part.max()) + 1
    counts = np.zeros((live.size, nparts), dtype=np.float64)
    idx = np.arange(live.size)
    counts[idx, part[:, 0]] += 1
    for t in range(1, limit):
        going = take[live] > t
        if not going.any():
            break
        share = np.take_along_axis(counts, part, axis=1) / t
        mmr = (1 - weight) * relevance - weight * closest - weight * share
        mmr[picked | ~ok] = -np.inf
        nxt = mmr.argmax(axis=1)
        g = idx[going]
        chosen[live[g], t] = nxt[g]
        picked[g, nxt[g]] = True
        closest[g] = np.maximum(closest[g], pair[s[g, nxt[g]][:, None], s[g]])
        counts[g, part[g, nxt[g]]] += 1
    return chosen


def _unit_coefs(x: sp.csr_matrix, mix: sp.csr_matrix, chunk: int = CHUNK, workers: int = 2) -> sp.csr_matrix:
    """Rows of `mix` (members x rows of `x`) scaled so each combination of `x`'s rows has unit
    length (the combinations, members x terms, made `chunk` members at a time)."""
    mix = mix.astype(np.float64)

    def norms(a: int) -> np.ndarray:
        centroids = (mix[a : a + chunk] @ x).tocsr()
        out = np.sqrt(np.maximum(np.add.reduceat(np.r_[centroids.data ** 2, 0.0], centroids.indptr[:-1]), 0.0))
        out[np.diff(centroids.indptr) == 0] = 0.0
        return out

    norm = np.concatenate([np.zeros(0), *parallel(norms, range(0, mix.shape[0], chunk), workers)])
    scaled = sp.diags(1.0 / np.maximum(norm, EPS)) @ mix
    return sp.csr_matrix(scaled, dtype=np.float32)


def _rows_of(ctx: ScoringContext, ids: list[list[str]], weights: list[list[float]]) -> sp.csr_matrix:
    """Members x index rows: 1 (or the given weight) for each known paper, in the given order."""
    row = ctx.index.row
    indptr, indices, data = [0], [], []
    for member_ids, given in zip(ids, weights):
        for n, pid in enumerate(member_ids):
            r = row.get(pid)
            if r is not None:
                indices.append(r)
                data.append(given[n] if n < len(given) else 1.0)
        indptr.append(len(indices))
    return sp.csr_matrix((np.array(data, dtype=np.float64), np.array(indices, dtype=np.int64), np.array(indptr)),
                         shape=(len(ids), len(ctx.index)))


@dataclass
class KnownTopics:
    """Distinct topics already expanded and given their community parts against one context,
    kept across the batches of one refold (a topic followed by members of many batches is
    computed once): text -> (expanded vector, its community parts, its relative spread),
    or None when none of its words is in the index."""

    version: str
    topics: dict[str, tuple[sp.csr_matrix, TopicCommunity, float] | None] = field(default_factory=dict)


def build_population(
    ctx: ScoringContext, inputs: Sequence[ProfileInputs], chunk: int = CHUNK, workers: int = 2,
    known: KnownTopics | None = None,
) -> Population:
    """`build_vectors` for many members at once (what the daily refold runs after the community
    refit): the same vectors and scales, as batched products over member chunks. `known`:
    the topics of earlier batches of the same refold (filled with this batch's)."""
    if ctx.semantic is not None:
        raise ValueError("build_population does not cover the semantic extra: use build_vectors per member")
    if known is None or known.version != ctx.version:
        known = KnownTopics(ctx.version)
    one_blas_thread()
    index, reference = ctx.index, ctx.reference()
    n = len(inputs)
    # Topics: each distinct topic read, expanded and scaled once.
    texts = list(dict.fromkeys(t for inp in inputs for t in inp.topics))
    todo = [t for t in texts if t not in known.topics]
    if todo:
        embedded = embed_topics(index, todo)
        keep = [i for i in range(len(todo)) if embedded[i].nnz]
        known.topics.update((todo[i], None) for i in range(len(todo)) if not embedded[i].nnz)
        if keep:
            step = max(16, 20_000_000 // max(len(index), 1))  # expand_topics holds topics x corpus cosines
            kept = embedded[keep].tocsr()
            latents = RowLatents(ctx.community, index.matrix) if ctx.community is not None else None

            def expand(i: int) -> tuple[sp.csr_matrix, TopicCommunity, np.ndarray]:
                some = expand_topics(index, kept[i : i + step])  # as build_vectors does for a member's topics
                count = some.shape[0]
                if reference is None:
                    return some, TopicCommunity(None, None, np.zeros(count, np.float32), np.full(count, np.inf, np.float32)), \
                        np.ones(count, dtype=np.float32)
                part = topic_community(ctx, some, reference, latents)
                raw = community_scores(some, part, reference)
                return some, part, _relative(raw, center=np.zeros(count))[1].astype(np.float32)

            done = parallel(expand, range(0, len(keep), step), workers)
            for (some, part, scale), a in zip(done, range(0, len(keep), step)):
                for j in range(some.shape[0]):
                    known.topics[todo[keep[a + j]]] = (some[j], _topic_row(part, j), float(scale[j]))
    usable_texts = [t for t in texts if known.topics[t] is not None]
    usable = {t: j for j, t in enumerate(usable_texts)}
    found = [known.topics[t] for t in usable_texts]
    topics = sp.vstack([f[0] for f in found]).tocsr() if found else sp.csr_matrix((0, index.matrix.shape[1]), dtype=np.float32)  # type: ignore[index]
    community = _joined([f[1] for f in found])  # type: ignore[index]
    topic_scale = np.array([f[2] for f in found], dtype=np.float32)  # type: ignore[index]
    member, tid, slot = [], [], []
    for i, inp in enumerate(inputs):
        k = 0
        for t in inp.topics:
            if t in usable:
                member.append(i)
                tid.append(usable[t])
                slot.append(k)
                k += 1
    tid_arr = np.array(tid, dtype=np.int64)
    liked = _rows_of(ctx, [inp.liked for inp in inputs], [inp.liked_weights for inp in inputs])
    negative = _rows_of(ctx, [inp.dismissed for inp in inputs], [inp.dismissed_weights for inp in inputs])
    used = np.union1d(liked.indices, negative.indices)
    x_used = index.matrix[used].astype(np.float64)
    local = lambda m: sp.csr_matrix((m.data, np.searchsorted(used, m.indices), m.indptr), shape=(m.shape[0], used.size))  # noqa: E731
    liked = _unit_coefs(x_used, local(liked), chunk, workers).tocsr()
    negative = _unit_coefs(x_used, local(negative), chunk, workers).tocsr()
    rank = ctx.community.rank if ctx.community is not None else 0
    counts = np.diff(liked.indptr)
    pop = Population(
        version=ctx.version,
        liked=sp.csr_matrix((liked.data, used[liked.indices], liked.indptr), shape=(n, len(index))),
        latent=np.zeros((n, rank), dtype=np.float32) if rank else None,
        has_latent=(counts > 0) & (rank > 0), has_colike=(counts > 0) & (ctx.colikes is not None),
        part_mean={p: np.zeros(n, dtype=np.float32) for p in PARTS},
        part_std={p: np.full(n, np.inf, dtype=np.float32) for p in PARTS},
        likes_center=np.zeros(n, dtype=np.float32), likes_spread=np.ones(n, dtype=np.float32),
        has_likes=np.zeros(n, dtype=bool),
        topics=topics, topic_latent=community.latent, topic_colike=community.colike, topic_offset=community.offset,
        topic_gate=community.gate, topic_member=np.array(member, dtype=np.int64), topic_id=tid_arr,
        topic_std=topic_scale[tid_arr] if tid_arr.size else np.zeros(0, np.float32), topic_slot=np.array(slot, dtype=np.int64),
        negative=sp.csr_matrix((negative.data, used[negative.indices], negative.indptr), shape=(n, len(index))),
        negative_std=np.ones(n, dtype=np.float32), has_negative=np.zeros(n, dtype=bool),
        topic_texts=sorted(usable, key=usable.__getitem__),
    )
    if ctx.community is not None and liked.nnz:
        latents = ctx.community.latent(index.matrix[used])  # the used papers' latent vectors
        share = sp.diags(1.0 / np.maximum(np.asarray(liked.sum(axis=1)).ravel(), EPS)) @ liked
        pop.latent = np.asarray((sp.csr_matrix(share, dtype=np.float32) @ latents) @ ctx.community.fold, dtype=np.float32)
        pop.latent[counts == 0] = 0.0
    if reference is None:
        pop.has_likes = counts > 0
        pop.has_negative = np.diff(pop.negative.indptr) > 0
        return pop
    # The scales: every member's parts over the reference sample, chunk by chunk.
    ref_pos = {int(r): j for j, r in enumerate(reference.rows)}
    n_ref = reference.rows.size
    colike_sims = None
    warm_ref = reference.warm
    if ctx.colikes is not None and liked.nnz and warm_ref is not None and warm_ref.any():
        colike_sims = np.asarray((ctx.colikes.normalized[used] @ reference.colike_t).toarray(), dtype=np.float32)
    weights = {p: part_weight(ctx, p, None) for p in PARTS}
    evidence = {p: community_evidence(ctx, p) if p in COMMUNITY_PARTS else 1.0 for p in PARTS}
    def scale_chunk(a: int) -> None:  # members a..a+chunk; chunks write disjoint rows
        assert reference is not None
        b = min(a + chunk, n)
        m = a + np.flatnonzero(counts[a:b] > 0)
        if m.size:
            raws = {"centroid": (np.ones(m.size, bool), centroid_scores(ctx, reference, pop.liked[m]))}
            if pop.latent is not None and reference.latent_t is not None:
                raws["latent"] = (pop.has_latent[m], pop.latent[m[pop.has_latent[m]]] @ reference.latent_t)
            if reference.colike_t is not None:
                have = pop.has_colike[m]
                raws["colike"] = (have, colike_scores(colike_sims, used, pop.liked[m[have]], n_ref))
                raws["popularity"] = (have, np.broadcast_to(reference.popularity, (int(have.sum()), n_ref)))
            total = np.zeros((m.size, n_ref), dtype=np.float32)
            offset = np.zeros(m.size, dtype=np.float32)
            history = np.minimum(1.0, counts[m] / FULL_HISTORY).astype(np.float32)
            for name, (have, raw) in raws.items():
                if not have.any():
                    continue
                who = m[have]
                sample = np.asarray(raw, dtype=np.float64)
                mean, std = sample.mean(axis=1), sample.std(axis=1)
                std = np.where(std > EPS, std, 0.0)
                pop.part_mean[name][who] = mean
                pop.part_std[name][who] = np.where(std > 0, std, np.inf)
                s = pop.part_std[name][who]
                if name in COMMUNITY_PARTS:
                    s = s / np.maximum(evidence[name] * history[have], 1e-6)
                gain = weights[name] / s
                offset[have] -= gain * pop.part_mean[name][who]
                part = raw * gain[:, None]
                if have.all():
                    total += part
                else:
                    total[have] += part
            total += offset[:, None]
            # The member's own liked papers are left out of the relative scale (as build_vectors does).
            sample = total.astype(np.float64)
            own = pop.liked[m][:, reference.rows] if len(ref_pos) else None
            if own is not None and own.nnz:
                r, c = own.nonzero()
                whole = np.bincount(r, minlength=m.size) >= n_ref
                sample[r[~whole[r]], c[~whole[r]]] = np.nan
            center, spread = _relative(sample)
            pop.likes_center[m], pop.likes_spread[m] = center, spread
            pop.has_likes[m] = spread > 0
        d = a + np.flatnonzero(np.diff(pop.negative.indptr)[a:b] > 0)
        if d.size:
            raw = centroid_scores(ctx, reference, pop.negative[d])
            pop.negative_std[d] = _relative(raw, center=np.zeros(d.size))[1]
            pop.has_negative[d] = True

    parallel(scale_chunk, range(0, n, chunk), workers)
    reference.forget_sims()  # the reference block lives with the context: keep it small
    return pop
