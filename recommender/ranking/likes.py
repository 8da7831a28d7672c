"""The likes part of a profile: its raw parts (centroid, latent, co-likes, popularity,
semantic) for a block of papers, and their weighted, standardised total."""

from __future__ import annotations

from typing import Protocol

import numpy as np
import scipy.sparse as sp

from recommender.ranking.block import PaperBlock
from recommender.ranking.context import ScoringContext
from recommender.ranking.scale import Scale
from recommender.ranking.semantic import subprofile_scores
from recommender.ranking.weights import COLD_WEIGHTS, COMMUNITY_PARTS, FULL_HISTORY


class LikesVectors(Protocol):
    """The likes part of a member's vectors (ranking/profile.py `ProfileVectors` has it)."""

    liked_rows: np.ndarray
    liked_coef: np.ndarray
    latent: np.ndarray | None
    colike: sp.csr_matrix | None
    semantic_latent: np.ndarray | None
    semantic_subs: np.ndarray | None
    part_scales: dict[str, Scale]


def stack_rows(mats: list[sp.csr_matrix]) -> sp.csr_matrix:
    """`sp.vstack` of CSR matrices with equal widths, without its per-matrix overhead."""
    data = np.concatenate([m.data for m in mats])
    indices = np.concatenate([m.indices for m in mats]).astype(np.int64, copy=False)
    counts = np.concatenate([np.diff(m.indptr) for m in mats])
    indptr = np.concatenate([[0], np.cumsum(counts)])
    return sp.csr_matrix((data, indices, indptr), shape=(counts.size, mats[0].shape[1]))


def mix_scores(ctx: ScoringContext, rows: list[np.ndarray], coefs: list[np.ndarray], block: PaperBlock) -> np.ndarray:
    """Cosines of weighted centroids with a block of papers, through the papers they mix.

    `centroid . x = sum_i coef_i (x_i . x)`: one product of the distinct mixed papers
    with the block, then a sparse (members x papers) combination, instead of one
    sparse product per member.
    """
    pos, sims = block.sims(ctx, np.concatenate(rows))
    indptr = np.cumsum([0, *[r.size for r in rows]])
    mix = sp.csr_matrix((np.concatenate(coefs), pos, indptr), shape=(len(rows), sims.shape[0]))
    return np.asarray(mix @ sims, dtype=np.float32)


def likes_parts(ctx: ScoringContext, group: list[LikesVectors], block: PaperBlock) -> dict[str, tuple[list[int], np.ndarray]]:
    """Raw scores of each likes part: (members that have it, members x papers)."""
    n = block.rows.size
    parts: dict[str, tuple[list[int], np.ndarray]] = {
        "centroid": (list(range(len(group))), mix_scores(ctx, [v.liked_rows for v in group], [v.liked_coef for v in group], block))
    }
    have = [j for j, v in enumerate(group) if v.latent is not None]
    if have and block.latent_t is not None:
        parts["latent"] = (have, np.vstack([group[j].latent for j in have]) @ block.latent_t)
    have = [j for j, v in enumerate(group) if v.colike is not None]
    if have and block.colike_t is not None:
        stacked = stack_rows([group[j].colike for j in have])
        parts["colike"] = (have, np.asarray((stacked @ block.colike_t).toarray(), dtype=np.float32))
        parts["popularity"] = (have, np.broadcast_to(block.popularity, (len(have), n)))
    have = [j for j, v in enumerate(group) if v.semantic_latent is not None]
    if have and block.semantic_latent_t is not None:
        parts["semantic_latent"] = (have, np.vstack([group[j].semantic_latent for j in have]) @ block.semantic_latent_t)
    have = [j for j, v in enumerate(group) if v.semantic_subs is not None]
    if have and block.semantic_t is not None:
        parts["semantic_subprofiles"] = (have, subprofile_scores([group[j].semantic_subs for j in have], block.semantic_t))
    return parts


def likes_total(
    ctx: ScoringContext, group: list[LikesVectors], parts: dict[str, tuple[list[int], np.ndarray]], n: int,
    center: np.ndarray | None = None, spread: np.ndarray | None = None, warm: np.ndarray | None = None,
) -> np.ndarray:
    """The weighted sum of the standardised likes parts (members x papers), optionally
    put on the relative scale ((total - center) / spread) in the same pass. `warm` marks
    the papers that already have likes (see `COLD_WEIGHTS`)."""
    spread = np.ones(len(group), dtype=np.float32) if spread is None else spread
    offset = np.zeros(len(group), dtype=np.float32) if center is None else -center / spread
    total = np.zeros((len(group), n), dtype=np.float32)
    history = member_evidence(group)
    for name, (members, raw) in parts.items():
        scales = [group[j].part_scales.get(name) for j in members]
        mean = np.array([sc.mean if sc else 0.0 for sc in scales], dtype=np.float32)
        std = np.array([sc.std if sc and sc.usable else np.inf for sc in scales], dtype=np.float32)
        if name in COMMUNITY_PARTS:  # grows with the evidence: a smaller weight is a larger std
            std = std / np.maximum(community_evidence(ctx, name) * history[members], 1e-6)
        weight = part_weight(ctx, name, warm)
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


def community_evidence(ctx: ScoringContext, part: str) -> float:
    """0..1: how far the community's size supports this part: the square root of its share of
    `COMMUNITY_PARTS[part]` members (measured with `paperbot eval --community N`, docs/quality.md)."""
    members = ctx.colikes.members if ctx.colikes is not None else (ctx.community.members if ctx.community else 0)
    return min(1.0, float(np.sqrt(members / COMMUNITY_PARTS[part])))


def member_evidence(group: list[LikesVectors]) -> np.ndarray:
    """0..1 per member: how far their own likes support the community parts (full at `FULL_HISTORY`)."""
    return np.array([min(1.0, v.liked_rows.size / FULL_HISTORY) for v in group], dtype=np.float32)


def part_weight(ctx: ScoringContext, name: str, warm: np.ndarray | None) -> float | np.ndarray:
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
