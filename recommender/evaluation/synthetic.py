"""Synthetic members and corpora for `paperbot bench`, built from real papers.

A member has a home: a real paper of the older corpus. They follow up to three topics
read from the titles of real papers of the home's arXiv category, like papers clustered
around the home (a heavy-tailed count: many like a few, some like dozens), dismissed a
few unrelated papers, and were already sent some of the day's candidates closest to
their home (yesterday's digest overlaps today's window). A corpus larger than the real
sample is made by resampling it: copy k of a paper gets a new arXiv-style id and is
dated k sample-spans earlier, so the newest papers stay the real ones and the corpus
grows into a long history; the bench output says so.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from recommender.ranking.index import PaperIndex, dates_array, make_vectorizer
from recommender.ranking.profile import ProfileInputs
from recommender.ranking.text import paper_text

HOMES = 3000  # distinct interests in a synthetic community
CLUSTER = 60  # papers around a home that its members like from
TOPIC_TERMS = 8  # the strongest terms of a title that a topic is drawn from


def read_records(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as stream:  # type: ignore[operator]
        return [json.loads(line) for line in stream if line.strip()]


def resampled_id(copy: int, position: int) -> str:
    """Copy 0 keeps the real id; copy k of the i-th record is `{9000 + k}.{i:05d}` (never a real id)."""
    return f"{9000 + copy:04d}.{position:05d}" if position < 100_000 else f"{9000 + copy:04d}.{position}"


def resample(records: list[dict], size: int) -> Iterator[dict]:
    """`size` records: the real ones, then copies dated one sample-span earlier per copy."""
    dates = [r.get("published") for r in records if r.get("published")]
    first, last = (date.fromisoformat(min(dates)), date.fromisoformat(max(dates))) if dates else (date.today(),) * 2
    span = (last - first).days + 1
    for n in range(size):
        copy, i = divmod(n, len(records))
        record = records[i]
        if copy == 0:
            yield record
            continue
        published = record.get("published")
        when = (date.fromisoformat(published) - timedelta(days=copy * span)).isoformat() if published else None
        yield {**record, "id": resampled_id(copy, i), "published": when, "updated": None}


def fit_texts(records: list[dict]) -> tuple[object, sp.csr_matrix]:
    texts = [paper_text(r["title"], r.get("abstract", "")) for r in records]
    vectorizer = make_vectorizer(len(texts))
    return vectorizer, normalize(vectorizer.fit_transform(texts)).astype(np.float32).tocsr()


def resampled_index(records: list[dict], size: int, fitted: tuple[object, sp.csr_matrix] | None = None) -> PaperIndex:
    """The index of a `size`-paper resampled corpus: the vocabulary fitted on the real records,
    each copy's vector its original's (a refit on the copies would count each text k times)."""
    vectorizer, matrix = fitted or fit_texts(records)
    take = np.arange(size) % len(records)
    rows = list(resample(records, size))
    ids = np.array([r["id"] for r in rows], dtype=object)
    published = dates_array([date.fromisoformat(r["published"]) if r.get("published") else None for r in rows])
    return PaperIndex(vectorizer, matrix[take] if size != len(records) else matrix, ids, published,  # type: ignore[arg-type]
                      (size, "bench"), size, "bench")


@dataclass
class Community:
    """Synthetic members' inputs, with what the bench needs to know about them."""

    inputs: list[ProfileInputs]
    homes: np.ndarray  # index row of each member's home paper


def members(
    index: PaperIndex, pool: np.ndarray, candidates: np.ndarray, count: int, categories: list[list[str]] | None = None,
    titles: list[str] | None = None, seed: int = 0,
) -> Community:
    """`count` members whose likes and dismissals are papers of `pool` (index rows) and who
    were already sent some of `candidates` (index rows).

    `categories` and `titles` are per index row (topics are read from real titles of the
    home's category); without them topics are the home cluster's strongest terms.
    """
    rng = np.random.default_rng(seed)
    homes = rng.choice(pool, size=min(HOMES, pool.size), replace=False)
    k = min(CLUSTER, pool.size)
    clusters = np.empty((homes.size, k), dtype=np.int64)
    near_new = np.empty((homes.size, min(16, candidates.size)), dtype=np.int64)
    pool_t = index.matrix[pool].T.tocsr()
    cand_t = index.matrix[candidates].T.tocsr()
    for a in range(0, homes.size, 500):
        part = index.matrix[homes[a : a + 500]]
        sims = (part @ pool_t).toarray()
        clusters[a : a + 500] = pool[_top(sims, k)]
        if candidates.size:
            near = (part @ cand_t).toarray()
            near_new[a : a + 500] = candidates[_top(near, near_new.shape[1])]
    topics_of = _topic_sources(index, homes, clusters, categories, titles, rng)
    ids = index.ids
    out: list[ProfileInputs] = []
    chosen = rng.integers(0, homes.size, size=count)
    for h in chosen:
        n_topics = int(rng.choice(4, p=[0.3, 0.35, 0.25, 0.1]))
        topics = list(dict.fromkeys(str(t) for t in rng.choice(topics_of[h], size=min(n_topics, len(topics_of[h])), replace=False)))
        # Likes: 20 % none (topics only), the rest geometric with mean 12, at most the cluster.
        n_likes = 0 if rng.random() < 0.2 else min(int(rng.geometric(1 / 12)), k)
        liked = [str(ids[r]) for r in rng.choice(clusters[h], size=n_likes, replace=False)]
        dismissed = [str(ids[r]) for r in rng.choice(pool, size=int(rng.choice(4, p=[0.5, 0.25, 0.15, 0.1])))]
        sent = [str(ids[r]) for r in near_new[h][: int(rng.integers(0, near_new.shape[1] + 1))]]
        out.append(ProfileInputs(topics=topics, liked=liked, dismissed=dismissed, exclude=set(liked) | set(dismissed) | set(sent)))
    return Community(out, homes[chosen])


def _top(sims: np.ndarray, k: int) -> np.ndarray:
    """Each row's k largest columns, largest first."""
    if k >= sims.shape[1]:
        return np.argsort(-sims, axis=1, kind="stable")[:, :k]
    part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(sims, part, axis=1), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


def _topic_sources(
    index: PaperIndex, homes: np.ndarray, clusters: np.ndarray, categories: list[list[str]] | None,
    titles: list[str] | None, rng: np.random.Generator,
) -> list[list[str]]:
    """For each home, topic texts: the strongest terms of real titles of papers of its category."""
    by_category: dict[str, list[int]] = {}
    if categories is not None:
        for row in np.unique(clusters):
            for cat in categories[row][:1]:
                by_category.setdefault(cat, []).append(int(row))
    picked_rows = []
    for h, home in enumerate(homes):
        cat = categories[home][0] if categories and categories[home] else None
        rows = by_category.get(cat, []) if cat else []
        picked_rows.append(rng.choice(rows, size=min(3, len(rows)), replace=False) if rows else clusters[h][:3])
    flat = np.concatenate(picked_rows) if picked_rows else np.zeros(0, dtype=np.int64)
    vectors = index.embed([titles[r] for r in flat]) if titles is not None else index.matrix[flat]
    sources: list[list[str]] = []
    at = 0
    for h, rows in enumerate(picked_rows):
        terms: list[str] = []
        for j in range(at, at + len(rows)):
            vec = vectors[j]
            terms += [str(index.terms[vec.indices[i]]) for i in np.argsort(-vec.data)[:TOPIC_TERMS]]
        at += len(rows)
        sources.append(list(dict.fromkeys(terms)) or [str(index.terms[index.matrix[homes[h]].indices[0]])])
    return sources


def likes_matrix(index: PaperIndex, inputs: list[ProfileInputs]) -> sp.csr_matrix:
    """Papers x members (1 = liked), what the community model is fitted on."""
    rows, cols = [], []
    for member, inp in enumerate(inputs):
        for pid in inp.liked:
            rows.append(index.row[pid])
            cols.append(member)
    m = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(index), len(inputs)))
    m.data[:] = 1.0
    return m
