"""The semantic extra's embeddings of a benchmark's items, computed once and cached on disk."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from recommender.evaluation.corpus import benchmark_texts
from recommender.evaluation.datasets import Benchmark
from recommender.ranking.semantic import DIM, MODEL_NAME, load_encoder


def cache_dir() -> Path:
    """`$XDG_CACHE_HOME/paperbot/eval` (or `~/.cache/paperbot/eval`)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "paperbot" / "eval"


def texts_key(texts: list[str]) -> str:
    digest = hashlib.blake2b(MODEL_NAME.encode(), digest_size=16)
    for text in texts:
        digest.update(text.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def benchmark_embeddings(
    bench: Benchmark, cache: Path | None = None, progress: Callable[[int], None] | None = None
) -> tuple[np.ndarray, bool]:
    """(items x 384 unit embeddings, whether they came from the cache).

    The same encoder (and text) the bot embeds papers with; the cache file is named
    after the model and every item's text, so a changed text is re-embedded.
    """
    texts = benchmark_texts(bench)
    folder = cache_dir() if cache is None else cache
    path = folder / f"{bench.name.replace('/', '-')}-{texts_key(texts)}.npy"
    if path.is_file():
        stored = np.load(path)
        if stored.shape == (len(texts), DIM):
            return stored.astype(np.float32), True
    vectors = load_encoder().encode(texts, progress=progress)
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp.npy")
    np.save(partial, vectors)
    partial.replace(path)
    return vectors, False
