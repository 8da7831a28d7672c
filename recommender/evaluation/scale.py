"""The digest-scale benchmark: score N new papers for M members with the product code.

Members are synthetic but built from real papers: each follows a few topics drawn
from real titles and likes papers clustered around a random real paper, the way
a reading group's interests look. Their vectors are built and scored with the
same `build_vectors` / `score_many` the bot uses for digests.
"""

from __future__ import annotations

import gc
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from recommender.ranking.community import CoLikes, fit_community
from recommender.ranking.context import ScoringContext
from recommender.ranking.index import PaperIndex, make_vectorizer
from recommender.ranking.profile import ProfileInputs, build_vectors
from recommender.ranking.scores import score_chunks
from recommender.ranking.text import paper_text

CHUNK = 2000
TOP = 10


@dataclass
class ScaleResult:
    papers: int
    members: int
    candidates: int
    figures: dict[str, float] = field(default_factory=dict)


def index_from_records(records: list[dict]) -> PaperIndex:
    texts = [paper_text(r["title"], r.get("abstract", "")) for r in records]
    vectorizer = make_vectorizer(len(texts))
    matrix = normalize(vectorizer.fit_transform(texts)).astype(np.float32).tocsr()
    dates = np.array([np.datetime64(r.get("published") or "NaT") for r in records], dtype="datetime64[D]")
    ids = np.array([r["id"] for r in records], dtype=object)
    return PaperIndex(vectorizer, matrix, ids, dates, (len(ids), "bench"), len(ids), "bench")


def synthetic_members(index: PaperIndex, pool: np.ndarray, members: int, seed: int = 0) -> list[ProfileInputs]:
    """Members with 0-3 topics (frequent real terms) and 0-40 likes around a random real paper."""
    rng = np.random.default_rng(seed)
    seeds = rng.choice(pool, size=min(300, pool.size), replace=False)
    neighbours = (index.matrix[seeds] @ index.matrix[pool].T).toarray().argsort(axis=1)[:, ::-1][:, :40]
    terms = index.terms[np.asarray(index.matrix[pool].sum(axis=0)).ravel().argsort()[::-1][:3000]]
    out = []
    for _ in range(members):
        k = int(rng.integers(0, 4))
        topics = [str(t) for t in rng.choice(terms, size=k, replace=False)]
        cluster = neighbours[int(rng.integers(0, len(seeds)))]
        likes = [str(index.ids[pool[j]]) for j in rng.choice(cluster, size=int(rng.integers(0, 41)), replace=False)]
        dismissed = [str(index.ids[pool[j]]) for j in rng.choice(pool.size, size=int(rng.integers(0, 3)))]
        out.append(ProfileInputs(topics=topics, liked=likes, dismissed=dismissed))
    return out


def likes_matrix(index: PaperIndex, inputs: list[ProfileInputs]) -> sp.csr_matrix:
    rows, cols = [], []
    for member, inp in enumerate(inputs):
        for pid in inp.liked:
            rows.append(index.row[pid])
            cols.append(member)
    m = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(index), len(inputs)))
    m.data[:] = 1.0
    return m


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_scale(
    records: list[dict], members: int, candidates: int, progress: Callable[[str], None] | None = None
) -> ScaleResult:
    say = progress or (lambda _msg: None)
    result = ScaleResult(len(records), members, candidates)
    fig = result.figures
    t0 = time.perf_counter()
    index = index_from_records(records)
    fig["index_seconds"] = time.perf_counter() - t0
    order = np.argsort(index.published, kind="stable")
    new_rows, old_rows = order[-candidates:], order[:-candidates]
    say(f"index: {len(index):,} papers, {len(index.terms):,} terms")

    inputs = synthetic_members(index, old_rows, members)
    likes = likes_matrix(index, inputs)
    t0 = time.perf_counter()
    community = fit_community(index.matrix, likes)
    fig["community_fit_seconds"] = time.perf_counter() - t0
    ctx = ScoringContext(index, community, CoLikes.from_likes(likes), reference_rows=index.reference_rows())
    say(f"community model fitted in {fig['community_fit_seconds']:.1f}s; building {members:,} profiles")

    t0 = time.perf_counter()
    vecs = [build_vectors(ctx, inp) for inp in inputs]
    fig["profile_build_ms_per_member"] = 1000 * (time.perf_counter() - t0) / members
    del inputs
    gc.collect()
    say("scoring")

    t0 = time.perf_counter()
    block = ctx.block(new_rows)
    fig["candidate_prep_seconds"] = time.perf_counter() - t0
    t0 = time.perf_counter()

    def top_picks(_start: int, scores: np.ndarray) -> int:
        top = np.argpartition(-scores, TOP - 1, axis=1)[:, :TOP]
        return int(np.isfinite(np.take_along_axis(scores, top, axis=1)).sum())

    picked = sum(score_chunks(ctx, vecs, block, top_picks, CHUNK))
    seconds = time.perf_counter() - t0
    fig["score_seconds"] = seconds
    fig["score_ms_per_member"] = 1000 * seconds / members
    fig["picks"] = picked
    fig["peak_rss_mb"] = peak_rss_mb()
    return result
