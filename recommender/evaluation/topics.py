"""The topic benchmark (``paperbot eval topics``): a followed topic alone, ranked through
the product path, judged by human labels.

Each CiteULike tag on enough items becomes a topic (its text: ``gene-expression`` ->
"gene expression"); the relevant items are those carrying the tag. The topic goes
through `build_vectors` (topics only) and the selection `rank_many` makes with the bot's
threshold and diversity (`picked_rows`, read before the picks are explained), exactly as
`/recommend` ranks a member who follows only that topic, in a
context that holds what the bot would hold for this community: the index, and the
community model and co-likes fitted on the benchmark's train likes (`run.fit`, as
`paperbot eval` does; kept on disk between runs, `fit_cache.py`). The baseline is the
plain TF-IDF cosine of the topic text with every item, in the same run.

The tags are split in two fixed halves (`split_tags`): the topic parts' settings were
chosen on the validation half; `--tags test` measures the other half alone.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from recommender.evaluation.corpus import benchmark_index
from recommender.evaluation.datasets import Benchmark, TagSet
from recommender.evaluation.metrics import hits_of, ndcg_at, precision_at
from recommender.evaluation.fit_cache import cached_fit
from recommender.ranking.context import ScoringContext
from recommender.ranking.index import PaperIndex
from recommender.ranking.profile import ProfileInputs, build_vectors
from recommender.ranking.ranker import picked_rows

MIN_ITEMS = 20  # a tag is a topic when at least this many items carry it
DEPTH = 100
METRICS = ("ndcg@10", "p@10", "recall@100")
SPLITS = ("all", "validation", "test")
SPLIT_SEED = 0
_SEPARATORS = re.compile(r"[\W_]+")


def tag_text(tag: str) -> str:
    """A tag as a member would type the topic: `gene-expression` -> "gene expression"."""
    return _SEPARATORS.sub(" ", tag).strip()


def topic_tags(index: PaperIndex, tags: TagSet, min_items: int = MIN_ITEMS) -> list[int]:
    """Tags on at least `min_items` items whose every word is in the index's vocabulary
    (the first of tags with the same text)."""
    counts = np.diff(tags.items.indptr)
    vocabulary = index.vectorizer.vocabulary_
    seen: set[str] = set()
    chosen = []
    for t in np.flatnonzero(counts >= min_items):
        text = tag_text(tags.tags[t]).lower()
        words = text.split()
        if words and text not in seen and all(w in vocabulary for w in words):
            seen.add(text)
            chosen.append(int(t))
    return chosen


def split_tags(chosen: list[int], split: str, seed: int = SPLIT_SEED) -> list[int]:
    """The usable tags of one half: each tag is in the validation half with probability 1/2
    (a fixed draw over the usable tags in order), in the test half otherwise; "all" keeps all."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, not {split!r}")
    if split == "all":
        return chosen
    validation = np.random.default_rng(seed).random(len(chosen)) < 0.5
    return [t for t, v in zip(chosen, validation) if v == (split == "validation")]


@dataclass
class TopicResult:
    """Mean figures over the topics, for paperbot's ranking and the baseline."""

    benchmark: str
    topics: int
    figures: dict[str, float]
    baseline: dict[str, float]
    uncut: dict[str, float]  # paperbot's ranking without the threshold
    text_only: dict[str, float]  # without the community parts (what the topic's words and its expansion find)
    settings: dict[str, object] = field(default_factory=dict)
    seconds: float = 0.0
    halves: dict[str, dict[str, object]] = field(default_factory=dict)  # with all tags: each half's figures

    def gain(self, figures: dict[str, float] | None = None, baseline: dict[str, float] | None = None) -> float:
        """nDCG@10 over the baseline's, minus 1 (the bar: at least 0.10)."""
        ours, base = figures or self.figures, baseline or self.baseline
        return ours["ndcg@10"] / max(base["ndcg@10"], 1e-9) - 1

    def as_dict(self) -> dict[str, object]:
        return {
            "benchmark": self.benchmark,
            "topics": self.topics,
            **{m: round(self.figures[m], 4) for m in METRICS},
            "baseline": {m: round(self.baseline[m], 4) for m in METRICS},
            "without_threshold": {m: round(self.uncut[m], 4) for m in METRICS},
            "without_community": {m: round(self.text_only[m], 4) for m in METRICS},
            "settings": self.settings,
            "halves": {
                half: {"topics": h["topics"], **{m: round(h["ours"][m], 4) for m in METRICS},  # type: ignore[index]
                       "baseline": {m: round(h["baseline"][m], 4) for m in METRICS}}  # type: ignore[index]
                for half, h in self.halves.items()
            },
            "seconds": round(self.seconds, 2),
        }


def figures(ranked: list[np.ndarray], truth: sp.csr_matrix) -> dict[str, float]:
    """Mean nDCG@10, P@10 and recall@100 of ranked item lists (one per topic)."""
    hits = hits_of(ranked, truth, DEPTH)
    n_rel = np.diff(sp.csr_matrix(truth).indptr)
    return {
        "ndcg@10": float(np.nanmean(ndcg_at(hits, n_rel, 10))),
        "p@10": float(precision_at(hits, 10).mean()),
        "recall@100": float((hits.sum(axis=1) / np.maximum(n_rel, 1)).mean()),
    }


def cosine_ranking(index: PaperIndex, texts: list[str], depth: int = DEPTH) -> list[np.ndarray]:
    """The baseline: items by the cosine of their TF-IDF with the topic text's, best first."""
    sims = (index.embed(texts) @ index.matrix.T).toarray()
    top = np.argsort(-sims, axis=1, kind="stable")[:, :depth]
    return [row[sims[q, row] > 0] for q, row in enumerate(top)]


def product_ranking(
    ctx: ScoringContext, texts: list[str], min_score: float, diversity: float, depth: int = DEPTH
) -> list[np.ndarray]:
    """Each topic alone through the product: `build_vectors` (topics only), then what
    `rank_many` picks (`picked_rows`: the same selection, without explaining each pick)."""
    vecs = [build_vectors(ctx, ProfileInputs(topics=[t])) for t in texts]
    rows = np.arange(len(ctx.index))
    lists = picked_rows(ctx, vecs, rows, [set() for _ in vecs], depth, min_score, diversity=diversity)
    return [np.array([r for r, _, _ in picks], dtype=np.int64) for picks in lists]


def run_topics(
    bench: Benchmark, tags: TagSet, min_score: float, diversity: float,
    progress: Callable[[str], None] | None = None, split: str = "all", limit: int | None = None,
    cache: Path | None = None,
) -> TopicResult:
    """Every usable tag of `tags` (of one half with `split`; the first `limit` of them, for a
    quick check) as a topic over every item of `bench`. The community fit is read from the
    cache folder when the same index and train likes were fitted before (`fit_cache.py`)."""
    say = progress or (lambda _msg: None)
    began = time.perf_counter()
    index = benchmark_index(bench)
    chosen = split_tags(topic_tags(index, tags), split)[:limit]
    if not chosen:
        raise ValueError(f"{tags.name}: no tag is on {MIN_ITEMS} items with every word in the vocabulary")
    texts = [tag_text(tags.tags[t]) for t in chosen]
    truth = tags.items[chosen]
    say(f"{tags.name}: {len(chosen):,} tags as topics over {len(index):,} items; fitting the community on "
        f"{bench.train.nnz:,} train likes")
    fitted = cached_fit(bench, index, cache, say)
    reference = index.reference_rows()
    ctx = ScoringContext(index, fitted.community, fitted.colikes, reference_rows=reference)
    fit_note = "the community fit from the cache" if "cached" in fitted.seconds else \
        ', '.join(f'{k} {v:.0f}s' for k, v in fitted.seconds.items()) + " to fit"
    say(f"{tags.name}: ranking ({fit_note})")
    lists = {
        "ours": product_ranking(ctx, texts, min_score, diversity),
        "uncut": product_ranking(ctx, texts, 0.0, diversity),
        "text_only": product_ranking(ScoringContext(index, reference_rows=reference), texts, min_score, diversity),
        "baseline": cosine_ranking(index, texts),
    }
    ours, uncut, text_only, baseline = (figures(ranked, truth) for ranked in lists.values())
    halves = {}
    if split == "all":  # each half of the same run: the settings were chosen on the validation half
        for half in SPLITS[1:]:
            keep = np.isin(chosen, split_tags(chosen, half))
            at = np.flatnonzero(keep)
            halves[half] = {
                "topics": int(at.size),
                **{name: figures([ranked[i] for i in at], truth[at]) for name, ranked in lists.items() if name in ("ours", "baseline")},
            }
    settings = {"min_score": min_score, "diversity": diversity, "min_items": MIN_ITEMS, "items": len(index),
                "split": split, "limit": limit, "fit_cached": "cached" in fitted.seconds, "train_likes": int(bench.train.nnz),
                "community_members": fitted.colikes.members if fitted.colikes else 0}
    return TopicResult(tags.name, len(chosen), ours, baseline, uncut, text_only, settings,
                       time.perf_counter() - began, halves)
