"""The five-paper start, measured (``paperbot eval onboarding``): which five papers, rated by a
new member, teach the profile the most.

CiteULike members stand in for new members. Each follows the tag (a topic, as in
`topics.py`) that covers most of their library, then rates five papers from that
topic's best candidates (`ranking/starter.py`, the functions the bot calls). Three ways
to choose the five, from the same candidates:

* spread: one per sub-area of the topic's best candidates (k-means), what the bot offers;
* top five: the five most similar to the topic;
* random: five of the topic's candidates at random.

"topic only" (no ratings) is the reference. Two simulated raters: a paper of the
member's library is a like; any other is a dismissal ("likes and dismissals") or left
unrated ("likes only": a CiteULike user not having a paper is weak evidence that they
would reject it). The profile (the topic, the likes, the dismissals, through
`build_vectors` as in the product) then ranks every item, and the member's items are
the hits (their whole library, or its part that carries the topic's tag).

Fairness: the papers shown by *any* of the three ways (up to 15) are taken out of every
ranking and every member's hits, the reference's too, so every way is judged on the
same items. (Taking out only each way's own five judged the spread and the top five,
whose five are more often hits, on a harder remainder than random.) Members are split
into two fixed halves by their id (even: validation, where the method's choices were
made; odd: test, where they are reported). The figures are means over the members.
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
RATERS = ("likes and dismissals", "likes only")
HITS = ("whole library", "library within the topic")
HALVES = ("all", "validation", "test")  # members with even ids: validation; odd: test
DEPTH = 100
MIN_ITEMS = 20  # members with at least this many items in their library
MIN_COVERED = 5  # ... of which the chosen tag covers at least this many
METRICS = ("ndcg@10", "recall@50", "recall@100", "likes of 5")


@dataclass
class OnboardingRun:
    """One setting (hits x rater): every way's figures on the same members."""

    hits: str
    rater: str
    figures: dict[str, dict[str, float]]  # way -> metric -> mean
    wins: dict[str, float]  # way -> share of members where the spread's nDCG@10 is higher
    ties: dict[str, float]  # way -> share of members where it is the same
    gain: dict[str, tuple[float, float]]  # way -> the spread's nDCG@10 minus its, mean over members and standard error

    def as_dict(self) -> dict[str, object]:
        return {
            "hits": self.hits, "ratings": self.rater,
            "figures": {k: {m: round(v, 4) for m, v in f.items()} for k, f in self.figures.items()},
            "spread_beats": {k: round(v, 4) for k, v in self.wins.items()},
            "spread_ties": {k: round(v, 4) for k, v in self.ties.items()},
            "spread_gain": {k: {"ndcg@10": round(m, 4), "se": round(e, 4)} for k, (m, e) in self.gain.items()},
        }


@dataclass
class OnboardingResult:
    benchmark: str
    members: int
    runs: list[OnboardingRun]
    settings: dict[str, object] = field(default_factory=dict)
    seconds: float = 0.0
    index_seconds: float = 0.0  # of which: fitting the TF-IDF index

    def run(self, hits: str, rater: str) -> OnboardingRun:
        return next(r for r in self.runs if r.hits == hits and r.rater == rater)

    def as_dict(self) -> dict[str, object]:
        return {
            "benchmark": self.benchmark, "members": self.members, "runs": [r.as_dict() for r in self.runs],
            "settings": self.settings, "seconds": round(self.seconds, 2), "index_seconds": round(self.index_seconds, 2),
        }


def in_half(user: int, half: str) -> bool:
    if half not in HALVES:
        raise ValueError(f"half must be one of {', '.join(HALVES)}, not {half!r}")
    return half == "all" or (user % 2 == 0) == (half == "validation")


def members_and_topics(
    library: sp.csr_matrix, tags: TagSet, usable: list[int], limit: int, seed: int, half: str = "all",
) -> list[tuple[int, int]]:
    """(member, tag) pairs: members of the half with enough items, each with the usable tag covering most of them."""
    counts = np.diff(library.indptr)
    candidates = np.array([u for u in np.flatnonzero(counts >= MIN_ITEMS) if in_half(int(u), half)], dtype=np.int64)
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


def rate(five: np.ndarray, library: set[int], dismiss: bool) -> tuple[list[str], list[str]]:
    """The simulated member's ratings of five rows: (liked ids, dismissed ids)."""
    liked = [item_id(int(r)) for r in five if int(r) in library]
    dismissed = [item_id(int(r)) for r in five if int(r) not in library] if dismiss else []
    return liked, dismissed


def run_onboarding(
    bench: Benchmark, library: sp.csr_matrix, tags: TagSet, members: int = 300, seed: int = 0,
    progress: Callable[[str], None] | None = None, pool_size: int = POOL, half: str = "all",
) -> OnboardingResult:
    """`members` of the benchmark's users (their whole library in `library`, users x items) of one
    half, each starting from their main tag; every way's five ratings, by both raters, then every
    item ranked; one pass per member for every setting."""
    say = progress or (lambda _msg: None)
    began = time.perf_counter()
    index = benchmark_index(bench)
    ctx = ScoringContext(index, reference_rows=index.reference_rows())
    index_seconds = time.perf_counter() - began
    pairs = members_and_topics(library.tocsr(), tags, topic_tags(index, tags), members, seed, half)
    if not pairs:
        raise ValueError(f"{bench.name}: no member with {MIN_ITEMS} items and a tag on {MIN_COVERED} of them")
    say(f"{bench.name}: {len(pairs):,} members ({half}), each starting from the tag that covers most of their library")
    every = np.arange(len(index))
    arms = [(REFERENCE, None), *((way, rater) for rater in RATERS for way in STRATEGIES)]
    ranked: dict[tuple[str | None, str], list[np.ndarray]] = {(r, w): [] for w, r in arms}
    truths: dict[str, list[np.ndarray]] = {h: [] for h in HITS}
    likes: dict[str, list[int]] = {w: [] for w in (REFERENCE, *STRATEGIES)}
    for n, (user, tag) in enumerate(pairs, start=1):
        items = set(library.indices[library.indptr[user] : library.indptr[user + 1]].tolist())
        tagged = set(tags.items.indices[tags.items.indptr[tag] : tags.items.indptr[tag + 1]].tolist())
        topic = tag_text(tags.tags[tag])
        start = build_vectors(ctx, ProfileInputs(topics=[topic]))
        rows, scores = pool(ctx, start, every, pool_size)
        chosen = {
            "spread": spread(ctx, rows, scores, FIVE, seed),
            "top five": top(rows, FIVE),
            "random": at_random(rows, FIVE, seed + user),
        }
        shown = sorted({int(r) for five in chosen.values() for r in five})
        vecs = [start]
        for way, rater in arms[1:]:
            liked, dismissed = rate(chosen[way], items, rater == RATERS[0])
            vecs.append(build_vectors(ctx, ProfileInputs(topics=[topic], liked=liked, dismissed=dismissed)))
            if rater == RATERS[0]:
                likes[way].append(len(liked))
        likes[REFERENCE].append(0)
        scored = np.asarray(score_many(ctx, vecs, ctx.block(every)), dtype=np.float64)
        scored[:, shown] = -np.inf  # every way is judged on the same items
        k = min(DEPTH, every.size)
        best = np.argpartition(-scored, k - 1, axis=1)[:, :k]
        for (way, rater), row, top_k in zip(arms, scored, best):
            ranked[(rater, way)].append(top_k[np.argsort(-row[top_k], kind="stable")])
        truths[HITS[0]].append(np.array(sorted(items - set(shown)), dtype=np.int64))
        truths[HITS[1]].append(np.array(sorted((items & tagged) - set(shown)), dtype=np.int64))
        if n % 100 == 0:
            say(f"{n:,} of {len(pairs):,} members, {time.perf_counter() - began:.0f}s")
    runs = []
    for hits in HITS:
        truth = _truth_matrix(truths[hits], len(index))
        n_rel = np.diff(truth.indptr)
        for rater in RATERS:
            figures: dict[str, dict[str, float]] = {}
            ndcg: dict[str, np.ndarray] = {}
            for way in (*STRATEGIES, REFERENCE):
                hit = hits_of(ranked[(None if way == REFERENCE else rater, way)], truth, DEPTH)
                ndcg[way] = ndcg_at(hit, n_rel, 10)
                figures[way] = {
                    "ndcg@10": float(np.nanmean(ndcg[way])),
                    "recall@50": float(np.nanmean(_recall(hit, n_rel, 50))),
                    "recall@100": float(np.nanmean(_recall(hit, n_rel, 100))),
                    "likes of 5": float(np.mean(likes[way])),
                }
            have = n_rel > 0
            others = ("top five", "random", REFERENCE)
            wins = {w: float((ndcg["spread"][have] > ndcg[w][have]).mean()) for w in others}
            ties = {w: float((ndcg["spread"][have] == ndcg[w][have]).mean()) for w in others}
            runs.append(OnboardingRun(hits, rater, figures, wins, ties, {w: _paired(ndcg["spread"][have], ndcg[w][have]) for w in others}))
    settings = {"members": len(pairs), "half": half, "pool": pool_size, "seed": seed, "depth": DEPTH,
                "min_items": MIN_ITEMS, "min_covered": MIN_COVERED, "items": len(index), "held_out": "union of the three fives"}
    return OnboardingResult(bench.name, len(pairs), runs, settings, time.perf_counter() - began, index_seconds)


def _paired(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Mean of a - b and its standard error."""
    d = a - b
    return float(d.mean()) if d.size else 0.0, float(d.std(ddof=1) / np.sqrt(d.size)) if d.size > 1 else 0.0


def _recall(hits: np.ndarray, n_rel: np.ndarray, k: int) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n_rel > 0, hits[:, :k].sum(axis=1) / n_rel, np.nan)


def _truth_matrix(rows: list[np.ndarray], n_items: int) -> sp.csr_matrix:
    indptr = np.cumsum([0, *(r.size for r in rows)])
    indices = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    return sp.csr_matrix((np.ones(indices.size, dtype=np.float32), indices, indptr), shape=(len(rows), n_items))
