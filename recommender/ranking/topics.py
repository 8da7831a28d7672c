"""A followed topic's vectors: its words, expanded with the terms of the papers that match
it best, and what the community's likes teach about those papers.

A topic is a query of two or three words. Its best-matching papers (pseudo-relevance
feedback, weighted by cosine) lend it two things:

* their strongest terms (Rocchio): "machine unlearning" also finds papers that say
  "forgetting" and "retain set" (`expand_topics`);
* their community signal (`topic_community`): the co-likes of those papers (members who
  liked them also liked this) and their community latent (papers that read like what
  those members like), so a paper the topic's readers care about scores even when it
  does not use the topic's words.

Every cosine of a topic with a paper is weighed by the paper's length (`length_weight`,
pivoted length normalisation). A topic's score is its expanded cosine plus the community parts as standard scores on
the cosine's own spread, weighted by `TOPIC_WEIGHTS` and grown with the community's
size like the likes' community parts (`community_evidence`). The parts are stored with
the member's vectors and versioned with them (`ScoringContext.version`). Measured on
CiteULike tags (`paperbot eval topics`, docs/quality.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from recommender.ranking.block import PaperBlock
from recommender.ranking.community import RowLatents
from recommender.ranking.context import ScoringContext
from recommender.ranking.index import PaperIndex
from recommender.ranking.kernels import add_product, best_columns
from recommender.ranking.likes import community_evidence, stack_rows
from recommender.ranking.scale import EPS, relative_rows
from recommender.ranking.weights import TOPIC_WEIGHTS

# Rocchio: the strongest terms of the papers that match a topic best.
FEEDBACK_PAPERS = 20
FEEDBACK_TERMS = 50
FEEDBACK_WEIGHT = 1.0
FEEDBACK_NEAR = 0.5  # ... those with at least half the best paper's cosine
# The community signal of a topic: its best-matching papers, weighted by cosine ...
COMMUNITY_PAPERS = 100
COMMUNITY_NEAR = 0.3  # ... those with at least this share of the best paper's cosine;
# it re-orders the papers the topic's words match, as close as its GATE closest papers of the library.
GATE = 200
# Pivoted length normalisation (Singhal et al., 1996): unit TF-IDF rows under-rate long
# papers, so a topic's cosine with a paper is weighed by (its distinct terms) ** LENGTH_POWER
# (chosen on the validation half of the CiteULike tags). Any constant factor cancels: topic
# scores are read on their relative scale over the reference sample.
LENGTH_POWER = 0.2
SAMPLE = 16  # `_best`: every this many papers give a first bound on a topic's k-th best cosine


class TopicVectors(Protocol):
    """The topic part of a member's vectors (ranking/profile.py `ProfileVectors` has it)."""

    topic_matrix: sp.csr_matrix | None  # topics x terms
    topic_latent: np.ndarray | None  # topics x rank, weighted
    topic_colike: sp.csr_matrix | None  # topics x members, weighted
    topic_offset: np.ndarray  # per topic: puts the community parts at 0 for a typical paper
    topic_gate: np.ndarray  # per topic: the cosine from which the community parts count


def length_weight(terms: np.ndarray) -> np.ndarray:
    """The factor of each paper's topic cosines, from its number of distinct terms."""
    return (np.maximum(terms, 1) / 100.0) ** LENGTH_POWER


def topic_cosines(topics: sp.csr_matrix, index: PaperIndex) -> np.ndarray:
    """(topics x papers) cosines of topic vectors with every paper of the index, weighed by
    the papers' length (`length_weight`). Read term-major: only the topics' terms' columns
    (`matrix.T` would be a copy of the whole matrix per call), summed straight into the dense
    result (ranking/kernels.py: SciPy's product and `toarray`, bitwise, in a third of the time)."""
    cosines = add_product(topics.tocsr(), index.by_term().T, np.zeros((topics.shape[0], len(index)), np.float32))
    cosines *= length_weight(np.diff(index.matrix.indptr)).astype(cosines.dtype)[None, :]
    return cosines


def _block_cosines(topics: sp.csr_matrix, block: PaperBlock) -> np.ndarray:
    """`topic_cosines` with a block's papers."""
    terms = block.terms if block.terms is not None else np.bincount(block.tfidf_t.indices, minlength=block.rows.size)
    cosines = block.product(topics)
    cosines *= length_weight(terms).astype(np.float32)[None, :]
    return cosines.astype(np.float32, copy=False)


def _best(sims: np.ndarray, k: int) -> np.ndarray:
    """Each row's `k` largest columns (in any order but for the k-th, which is the k-th
    largest), for rows of cosines (>= 0). Over a wide matrix, the k-th largest of every
    `SAMPLE`-th column bounds the row's from below: only the columns above it are sorted
    (ranking/kernels.py `best_columns`, best first)."""
    rows, n = sims.shape
    if n < 8 * SAMPLE * k:
        return np.argpartition(-sims, k - 1, axis=1)[:, :k]
    return best_columns(sims, k, SAMPLE)


def _closest(sims: np.ndarray, k: int, near: float, top: np.ndarray | None = None) -> sp.csr_matrix:
    """(topics x papers) weights: the cosines of each topic's `k` closest papers, those
    with at least `near` of the best cosine (others 0). `top`: each row's best columns,
    at least k of them, when already known."""
    k = min(k, sims.shape[1])
    if k == 0:
        return sp.csr_matrix(sims.shape, dtype=np.float32)
    if top is None:
        top = _best(sims, k)
    elif top.shape[1] > k:  # the k best of those
        inner = np.argpartition(-np.take_along_axis(sims, top, axis=1), k - 1, axis=1)[:, :k]
        top = np.take_along_axis(top, inner, axis=1)
    close = np.take_along_axis(sims, top, axis=1)
    close = np.where(close >= near * close.max(axis=1, keepdims=True), close, 0.0).clip(0, None)
    mix = sp.csr_matrix((close.ravel().astype(np.float32), top.ravel(), np.arange(0, top.size + 1, k)), shape=sims.shape)
    mix.eliminate_zeros()
    return mix


def expand_topics(index: PaperIndex, topics: sp.csr_matrix) -> sp.csr_matrix:
    """Each topic vector plus the centroid of the papers that match it best (Rocchio,
    weighted by cosine), keeping the centroid's `FEEDBACK_TERMS` strongest terms."""
    if topics.shape[0] == 0 or index.matrix.shape[0] == 0:
        return topics
    sims = topic_cosines(topics, index)
    centroid = sp.csr_matrix(_closest(sims, FEEDBACK_PAPERS, FEEDBACK_NEAR) @ index.matrix)
    data, indices, indptr = [], [], [0]
    for i in range(centroid.shape[0]):  # each row's strongest terms (array slices: no sparse indexing per row)
        a, b = centroid.indptr[i], centroid.indptr[i + 1]
        values, columns = centroid.data[a:b], centroid.indices[a:b]
        if b - a > FEEDBACK_TERMS:
            strongest = np.argpartition(-values, FEEDBACK_TERMS - 1)[:FEEDBACK_TERMS]
            values, columns = values[strongest], columns[strongest]
        data.append(values)
        indices.append(columns)
        indptr.append(indptr[-1] + values.size)
    kept = sp.csr_matrix((np.concatenate(data), np.concatenate(indices), indptr), shape=centroid.shape)
    return normalize(topics + FEEDBACK_WEIGHT * normalize(kept)).astype(np.float32).tocsr()


@dataclass
class TopicCommunity:
    """The community parts of some topics (see `TopicVectors`)."""

    latent: np.ndarray | None
    colike: sp.csr_matrix | None
    offset: np.ndarray
    gate: np.ndarray


def topic_community(
    ctx: ScoringContext, topics: sp.csr_matrix, reference: PaperBlock, latents: RowLatents | None = None,
) -> TopicCommunity:
    """The community parts of expanded topic vectors: the community vectors of each
    topic's closest papers, scaled so that each part, on its relative scale over the
    reference sample (ranking/scale.py), adds `TOPIC_WEIGHTS[part]` times the cosine's."""
    n = topics.shape[0]
    sims = topic_cosines(topics, ctx.index)
    out = TopicCommunity(None, None, np.zeros(n, dtype=np.float32), np.full(n, np.inf, dtype=np.float32))
    if not n or not sims.shape[1] or (ctx.community is None and ctx.colikes is None):
        return out
    k = min(GATE, sims.shape[1])
    best = _best(sims, k)  # the gate is the k-th best cosine; the community's papers are among the k best
    out.gate = np.maximum(sims[np.arange(n), best[:, k - 1]], EPS).astype(np.float32)
    top = best if k >= COMMUNITY_PAPERS else None
    mix = normalize(_closest(sims, COMMUNITY_PAPERS, COMMUNITY_NEAR, top), norm="l1").tocsc()
    papers = np.flatnonzero(np.diff(mix.indptr))  # only the papers some topic draws on
    mix = mix[:, papers].tocsr()
    text = relative_rows(_block_cosines(topics, reference), center=np.zeros(n))[1]
    if ctx.community is not None and reference.latent_t is not None:
        vectors = latents.of(papers) if latents is not None else ctx.community.latent(ctx.index.matrix[papers])
        latent = np.asarray((mix @ vectors) @ ctx.community.fold, dtype=np.float32)
        gain = _gain(ctx, "latent", latent @ reference.latent_t, text, out.offset)
        out.latent = latent * gain[:, None]
    if ctx.colikes is not None and reference.colike_t is not None:
        colike = sp.csr_matrix(mix @ ctx.colikes.normalized[papers], dtype=np.float32)
        gain = _gain(ctx, "colike", np.asarray((colike @ reference.colike_t).toarray()), text, out.offset)
        out.colike = sp.csr_matrix(sp.diags(gain) @ colike, dtype=np.float32)
    return out


def _gain(ctx: ScoringContext, part: str, raw: np.ndarray, text: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """Per topic, the factor that puts a part's raw scores on the cosine's relative scale
    with its weight; adds to `offset` what puts a typical paper at 0."""
    weight = TOPIC_WEIGHTS[part] * community_evidence(ctx, part)
    middle, spread = relative_rows(raw)
    ok = (spread > EPS) & (text > EPS)
    gain = np.where(ok, weight * text / spread, 0.0).astype(np.float32)
    offset[:] = offset - np.where(ok, gain * middle, 0.0)
    return gain


def topic_scores(vecs: Sequence[TopicVectors], picks: Sequence[tuple[int, int]], block: PaperBlock) -> np.ndarray:
    """Raw scores (picks x papers) of topic `k` of `vecs[i]` for each `(i, k)` in `picks`:
    the expanded cosine, plus the community parts for papers from the topic's gate up."""
    owners = sorted({i for i, _ in picks})
    start = dict(zip(owners, np.cumsum([0, *[vecs[i].topic_matrix.shape[0] for i in owners[:-1]]])))
    at = np.array([start[i] + k for i, k in picks], dtype=np.int64)
    latent = colike = None
    if all(vecs[i].topic_latent is not None for i in owners):
        latent = np.vstack([vecs[i].topic_latent for i in owners])[at]
    if all(vecs[i].topic_colike is not None for i in owners):
        colike = stack_rows([vecs[i].topic_colike for i in owners])[at]
    parts = TopicCommunity(latent, colike, np.concatenate([vecs[i].topic_offset for i in owners])[at],
                           np.concatenate([vecs[i].topic_gate for i in owners])[at])
    return community_scores(stack_rows([vecs[i].topic_matrix for i in owners])[at], parts, block)


def community_scores(matrix: sp.csr_matrix, parts: TopicCommunity, block: PaperBlock) -> np.ndarray:
    """Raw scores (topics x papers) of topic vectors `matrix` with their community `parts`
    (a row each; `topic_scores` for members' topics, ranking/population.py for a population's)."""
    cosine = _block_cosines(matrix, block)
    community = np.zeros_like(cosine)
    community += parts.offset[:, None]
    if block.latent_t is not None and parts.latent is not None:
        community += parts.latent @ block.latent_t
    if block.colike_t is not None and parts.colike is not None:
        community += np.asarray((parts.colike @ block.colike_t).toarray())
    return cosine + np.where(cosine >= parts.gate[:, None], community, 0.0)
