"""The five-paper start, measured (``paperbot eval onboarding``): which five papers, rated by a
new member, teach the profile the most.

CiteULike-a's members stand in for new members. Each follows the tag (a topic, as in
`topics.py`) that covers most of their library, then rates five papers from that
topic's best candidates (`ranking/starter.py`): a paper of their library is a like,
any other a dismissal. Their profile (the topic, the likes, the dismissals, through
`build_vectors` as in the product) then ranks every other item, and the items of
their library they did not rate are the hits. Three ways to choose the five, the
same candidates for each:

* spread: one per sub-area of the topic's best candidates (k-means), what the bot offers;
* top five: the five most similar to the topic;
* random: five of the topic's candidates at random.

"topic only" (no ratings) is the reference. The figures are means over the members.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from recommender.evaluation.corpus import benchmark_index, item_id
from recommender.evaluation.datasets import Benchmark, TagSet
from recommender.evaluation.metrics import hits_of, ndcg_at
from recommender.evaluation.topics import tag_text, topic_tags
from recommender.ranking.context import ScoringContext
from recommender.ranking.profile import ProfileInputs, build_vectors
from recommender.ranking.scores import score_many
from recommender.ranking.starter import FIVE, POOL, at_random, pool, spread, top

STRATEGIES = ("spread", "top five", "random")
REFERENCE = "topic only"
DEPTH = 100
MIN_ITEMS = 20  # members with at least this many items in their library
MIN_COVERED = 5  # ... of which the chosen tag covers at least this many
METRICS = ("ndcg@10", "recall@50", "recall@100", "likes of 5")


@dataclass
class OnboardingResult:
    benchmark: str
    members: int
    figures: dict[str, dict[str, float]]  # strategy -> metric -> mean
    wins: dict[str, float] = field(default_factory=dict)  # share of members where spread beats it (recall@100)
    settings: dict[str, object] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "benchmark": self.benchmark,
            "members": self.members,
            "figures": {k: {m: round(v, 4) for m, v in f.items()} for k, f in self.figures.items()},
            "spread_beats": {k: round(v, 4) for k, v in self.wins.items()},
            "settings": self.settings,
            "seconds": round(self.seconds, 2),
        }


def members_and_topics(library: sp.csr_matrix, tags: TagSet, usable: list[int], limit: int, seed: int) -> list[tuple[int, int]]:
    """(member, tag) pairs: members with enough items, each with the usable tag covering most of them."""
    counts = np.diff(library.indptr)
    candidates = np.flatnonzero(counts >= MIN_ITEMS)
    rng = np.random.default_rng(seed)
    rng.shuffle(candidates)
    tag_items = tags.items[usable].T.tocsr()  # items x usable tags
    chosen = []
    for user in candidates:
        items = library.indices[library.indptr[user] : library.indptr[user + 1]]
        cover = np.asarray(tag_items[items].sum(axis=0)).ravel()
        best = int(cover.argmax())
        if cover[best] >= MIN_COVERED:
            chosen.append((int(user), usable[best]))
        if len(chosen) >= limit:
            break
    return chosen


def run_onboarding(
    bench: Benchmark, library: sp.csr_matrix, tags: TagSet, members: int = 300, seed: int = 0,
    progress: Callable[[str], None] | None = None, dismiss: bool = True, pool_size: int = POOL,
    within_topic: bool = False,
) -> OnboardingResult:
    """`members` of the benchmark's users (their whole library in `library`, users x items), each starting
    from their main tag; every strategy's five ratings, then every other item ranked."""
    say = progress or (lambda _msg: None)
    began = time.perf_counter()
    index = benchmark_index(bench)
    ctx = ScoringContext(index, reference_rows=index.reference_rows())
    pairs = members_and_topics(library.tocsr(), tags, topic_tags(index, tags), members, seed)
    if not pairs:
        raise ValueError(f"{bench.name}: no member with {MIN_ITEMS} items and a tag on {MIN_COVERED} of them")
    say(f"{bench.name}: {len(pairs):,} members, each starting from the tag that covers most of their library")
    every = np.arange(len(index))
    lists: dict[str, list[np.ndarray]] = {k: [] for k in (REFERENCE, *STRATEGIES)}
    truths: dict[str, list[np.ndarray]] = {k: [] for k in lists}
    likes: dict[str, list[int]] = {k: [] for k in lists}
    for n, (user, tag) in enumerate(pairs, start=1):
        items = set(library.indices[library.indptr[user] : library.indptr[user + 1]].tolist())
        tagged = set(tags.items.indices[tags.items.indptr[tag] : tags.items.indptr[tag + 1]].tolist())
        wanted = items & tagged if within_topic else items  # the hits: their library, or its part in the topic
        topic = tag_text(tags.tags[tag])
        start = build_vectors(ctx, ProfileInputs(topics=[topic]))
        rows, scores = pool(ctx, start, every, pool_size)
        chosen = {
            "spread": spread(ctx, rows, scores, FIVE, seed),
            "top five": top(rows, FIVE),
            "random": at_random(rows, FIVE, seed + user),
            REFERENCE: rows[:0],
        }
        vecs = []
        for name, five in chosen.items():
            liked = [item_id(int(r)) for r in five if int(r) in items]
            dismissed = [item_id(int(r)) for r in five if int(r) not in items] if dismiss else []
            vecs.append(build_vectors(ctx, ProfileInputs(topics=[topic], liked=liked, dismissed=dismissed)))
            likes[name].append(len(liked))
        scored = score_many(ctx, vecs, ctx.block(every))
        for (name, five), row_scores in zip(chosen.items(), scored):
            rated = set(int(r) for r in five)
            row_scores = np.asarray(row_scores, dtype=np.float64).copy()
            row_scores[list(rated)] = -np.inf
            k = min(DEPTH, every.size)
            best = np.argpartition(-row_scores, k - 1)[:k]
            lists[name].append(best[np.argsort(-row_scores[best], kind="stable")])
            truths[name].append(np.array(sorted(wanted - rated), dtype=np.int64))
        if n % 50 == 0:
            say(f"{n:,} of {len(pairs):,} members")
    figures: dict[str, dict[str, float]] = {}
    per_member: dict[str, np.ndarray] = {}
    for name in lists:
        truth = _truth_matrix(truths[name], len(index))
        hits = hits_of(lists[name], truth, DEPTH)
        n_rel = np.diff(truth.indptr)
        recall100 = hits.sum(axis=1) / np.maximum(n_rel, 1)
        per_member[name] = recall100
        figures[name] = {
            "ndcg@10": float(np.nanmean(ndcg_at(hits, n_rel, 10))),
            "recall@50": float((hits[:, :50].sum(axis=1) / np.maximum(n_rel, 1)).mean()),
            "recall@100": float(recall100.mean()),
            "likes of 5": float(np.mean(likes[name])),
        }
    wins = {name: float((per_member["spread"] > per_member[name]).mean()) for name in ("top five", "random", REFERENCE)}
    settings = {"members": len(pairs), "dismiss": dismiss, "within_topic": within_topic, "pool": pool_size, "seed": seed, "depth": DEPTH,
                "min_items": MIN_ITEMS, "min_covered": MIN_COVERED, "items": len(index)}
    return OnboardingResult(bench.name, len(pairs), figures, wins, settings, time.perf_counter() - began)


def _truth_matrix(rows: list[np.ndarray], n_items: int) -> sp.csr_matrix:
    indptr = np.cumsum([0, *(r.size for r in rows)])
    indices = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    return sp.csr_matrix((np.ones(indices.size, dtype=np.float32), indices, indptr), shape=(len(rows), n_items))
