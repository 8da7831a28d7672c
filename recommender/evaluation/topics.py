"""The topic benchmark (``paperbot eval topics``): a followed topic alone, ranked through
the product path, judged by human labels.

Each CiteULike tag on enough items becomes a topic (its text: ``gene-expression`` ->
"gene expression"); the relevant items are those carrying the tag. The topic goes
through `build_vectors` (topics only) and `rank_many` with the bot's threshold and
diversity, exactly as `/recommend` ranks a member who follows only that topic; the
baseline is the plain TF-IDF cosine of the topic text with every item, in the same run.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from recommender.evaluation.corpus import benchmark_index
from recommender.evaluation.datasets import Benchmark, TagSet
from recommender.evaluation.metrics import hits_of, ndcg_at, precision_at
from recommender.ranking.context import ScoringContext
from recommender.ranking.index import PaperIndex
from recommender.ranking.profile import ProfileInputs, build_vectors
from recommender.ranking.ranker import rank_many

MIN_ITEMS = 20  # a tag is a topic when at least this many items carry it
DEPTH = 100
METRICS = ("ndcg@10", "p@10", "recall@100")
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


@dataclass
class TopicResult:
    """Mean figures over the topics, for paperbot's ranking and the baseline."""

    benchmark: str
    topics: int
    figures: dict[str, float]
    baseline: dict[str, float]
    uncut: dict[str, float]  # paperbot's ranking without the threshold
    settings: dict[str, object] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "benchmark": self.benchmark,
            "topics": self.topics,
            **{m: round(self.figures[m], 4) for m in METRICS},
            "baseline": {m: round(self.baseline[m], 4) for m in METRICS},
            "without_threshold": {m: round(self.uncut[m], 4) for m in METRICS},
            "settings": self.settings,
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
    """Each topic alone through the product: `build_vectors` (topics only), then `rank_many`."""
    vecs = [build_vectors(ctx, ProfileInputs(topics=[t])) for t in texts]
    rows = np.arange(len(ctx.index))
    lists = rank_many(ctx, vecs, rows, [set() for _ in vecs], depth, min_score, diversity=diversity)
    return [np.array([ctx.index.row[p.paper_id] for p in picks], dtype=np.int64) for picks in lists]


def run_topics(
    bench: Benchmark, tags: TagSet, min_score: float, diversity: float,
    progress: Callable[[str], None] | None = None,
) -> TopicResult:
    """Every usable tag of `tags` as a topic over every item of `bench`."""
    say = progress or (lambda _msg: None)
    began = time.perf_counter()
    index = benchmark_index(bench)
    chosen = topic_tags(index, tags)
    if not chosen:
        raise ValueError(f"{tags.name}: no tag is on {MIN_ITEMS} items with every word in the vocabulary")
    texts = [tag_text(tags.tags[t]) for t in chosen]
    truth = tags.items[chosen]
    say(f"{tags.name}: {len(chosen):,} tags as topics over {len(index):,} items")
    ctx = ScoringContext(index, reference_rows=index.reference_rows())
    ours = figures(product_ranking(ctx, texts, min_score, diversity), truth)
    uncut = figures(product_ranking(ctx, texts, 0.0, diversity), truth)
    baseline = figures(cosine_ranking(index, texts), truth)
    settings = {"min_score": min_score, "diversity": diversity, "min_items": MIN_ITEMS, "items": len(index)}
    return TopicResult(tags.name, len(chosen), ours, baseline, uncut, settings, time.perf_counter() - began)
