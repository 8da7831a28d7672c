"""The community fit of a benchmark, kept on disk between runs of the topic benchmark.

Fitting the community model and co-likes on a benchmark's train likes is most of an
`eval topics` run (minutes on a loaded machine) and does not depend on how topics are
ranked. The cache file is named after everything the fit reads (the index's vectors,
the train likes, the model's settings), so any change to them refits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from recommender.evaluation.datasets import Benchmark
from recommender.evaluation.embeddings import cache_dir
from recommender.evaluation.run import Fitted, fit
from recommender.ranking.community import FOLD_RIDGE, MAX_LIKED_PAPERS, RANK, RIDGE, CoLikes, CommunityModel
from recommender.ranking.index import PaperIndex

FORMAT = 1  # bump when what is stored changes


def fit_key(index: PaperIndex, likes: sp.csr_matrix) -> str:
    """A digest of the index's vectors, the train likes and the model's settings."""
    digest = hashlib.blake2b(repr((FORMAT, RANK, RIDGE, FOLD_RIDGE, MAX_LIKED_PAPERS, likes.shape)).encode(), digest_size=16)
    for matrix in (index.matrix, sp.csr_matrix(likes)):
        for part in (matrix.indptr, matrix.indices, matrix.data):
            digest.update(np.ascontiguousarray(part).tobytes())
    return digest.hexdigest()


def _save(path: Path, fitted: Fitted) -> None:
    arrays: dict[str, np.ndarray] = {}
    if fitted.community is not None:
        m = fitted.community
        arrays |= {"projection": m.projection, "fold": m.fold,
                   "model": np.array([m.members, m.liked_papers, m.seconds], dtype=np.float64)}
    if fitted.colikes is not None:
        c = fitted.colikes.normalized
        arrays |= {"co_data": c.data, "co_indices": c.indices, "co_indptr": c.indptr, "co_shape": np.array(c.shape),
                   "popularity": fitted.colikes.popularity, "co_members": np.array([fitted.colikes.members])}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp.npz")
    np.savez(partial, **arrays)
    partial.replace(path)


def _load(path: Path, fitted: Fitted) -> None:
    with np.load(path) as stored:
        if "projection" in stored:
            members, liked, seconds = stored["model"]
            fitted.community = CommunityModel(stored["projection"], stored["fold"], int(members), int(liked), float(seconds))
        if "co_data" in stored:
            normalized = sp.csr_matrix((stored["co_data"], stored["co_indices"], stored["co_indptr"]),
                                       shape=tuple(stored["co_shape"]))
            fitted.colikes = CoLikes(normalized, stored["popularity"], int(stored["co_members"][0]))


def cached_fit(
    bench: Benchmark, index: PaperIndex, cache: Path | None = None, say: Callable[[str], None] | None = None
) -> Fitted:
    """`run.fit(bench, index=index)` (community model and co-likes), read from the cache
    when this index and these train likes were fitted before; `seconds["cached"]` = 1 then."""
    likes = bench.train.T.tocsr()
    path = (cache_dir() if cache is None else cache) / f"fit-{bench.name.replace('/', '-')}-{fit_key(index, likes)}.npz"
    if path.is_file():
        fitted = Fitted(index, likes, seconds={"cached": 1.0})
        try:
            _load(path, fitted)
            return fitted
        except (OSError, ValueError, KeyError) as exc:  # a damaged file: fit again
            (say or (lambda _m: None))(f"cache {path.name} unreadable ({exc}); fitting again")
    fitted = fit(bench, index=index)
    _save(path, fitted)
    return fitted
