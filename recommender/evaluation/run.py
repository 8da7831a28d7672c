"""Run a benchmark through the product's scoring path (``paperbot eval``).

Every method is the bot's own code: the benchmark's items become a `PaperIndex`
(`corpus.py`), the train likes fit `fit_community` and `CoLikes` exactly as
`community_store` does for the members' likes, each user's train items become a
`ProfileInputs(liked=...)` turned into `ProfileVectors` by `build_vectors`, and
candidates are scored with the batched `score_many` the digests use. Methods
differ only in the weights of the likes parts (and which community models they get).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sp

from recommender.evaluation.corpus import benchmark_index, item_id
from recommender.evaluation.datasets import Benchmark
from recommender.evaluation.metrics import DEFAULT_CUTOFFS, evaluate
from recommender.ranking.community import (
    RANK,
    RIDGE,
    CoLikes,
    CommunityModel,
    fit_community,
)
from recommender.ranking.context import ScoringContext
from recommender.ranking.index import PaperIndex
from recommender.ranking.profile import ProfileInputs, ProfileVectors, build_vectors
from recommender.ranking.scores import score_many
from recommender.ranking.semantic import (
    SEMANTIC_PARTS,
    SemanticContext,
    semantic_context,
)
from recommender.ranking.weights import SEMANTIC_WEIGHTS, WEIGHTS

CHUNK = 512  # users scored per batched product
RANDOM_SEED = 0
PAPERBOT = "paperbot"


@dataclass(frozen=True)
class Method:
    """A way to score: the product's profile with these likes-part weights, or random."""

    name: str
    weights: dict[str, float] | None  # None: random scores
    note: str = ""

    @property
    def needs_community(self) -> bool:
        return bool(self.weights and self.weights.get("latent"))

    @property
    def needs_semantic(self) -> bool:
        return bool(self.weights and any(self.weights.get(part) for part in SEMANTIC_PARTS))

    @property
    def needs_colikes(self) -> bool:
        return bool(self.weights and (self.weights.get("colike") or self.weights.get("popularity")))

    def describe(self) -> str:
        if self.weights is None:
            return self.note or "uniform random scores"
        parts = " + ".join(f"{w:g}·{name}" for name, w in self.weights.items() if w)
        return f"{parts}{f' ({self.note})' if self.note else ''}"


def paperbot(weights: dict[str, float] | None = None, semantic: bool = False) -> Method:
    """The product's method with its default weights (the semantic extra's with `semantic`), or the given ones."""
    default = SEMANTIC_WEIGHTS if semantic else WEIGHTS
    return Method(PAPERBOT, dict(default if weights is None else weights), "semantic extra" if semantic else "")


BASELINES = (
    Method("random", None),
    Method("tfidf-centroid", {"centroid": 1.0}, "cosine to the TF-IDF centroid of liked items"),
)

ABLATIONS = (
    Method("latent only", {"latent": 1.0}),
    Method("centroid + 2·latent, all papers", {"centroid": 1.0, "latent": 2.0}),
    Method("centroid + co-likes + popularity", {"centroid": 1.0, "colike": 1.0, "popularity": 1.0}),
    Method("paperbot without cold weights", {k: v for k, v in WEIGHTS.items() if not k.endswith("_cold")}),
    Method("paperbot without latent", {**WEIGHTS, "latent": 0.0, "latent_cold": 0.0}),
    Method("paperbot without popularity", {**WEIGHTS, "popularity": 0.0}),
    Method("paperbot without co-likes", {**WEIGHTS, "colike": 0.0}),
)

SEMANTIC_ABLATIONS = (
    Method("semantic parts only", {p: SEMANTIC_WEIGHTS[p] for p in SEMANTIC_PARTS}),
    Method("semantic sub-profiles only", {"semantic_subprofiles": 1.0}),
    Method("semantic latent only", {"semantic_latent": 1.0}),
    Method("semantic without sub-profiles", {**SEMANTIC_WEIGHTS, "semantic_subprofiles": 0.0}),
    Method("semantic without semantic latent", {**SEMANTIC_WEIGHTS, "semantic_latent": 0.0}),
    Method("semantic without TF-IDF parts", {**SEMANTIC_WEIGHTS, "centroid": 0.0, "latent": 0.0}),
)


@dataclass
class MethodResult:
    method: Method
    recall: dict[int, float]
    users: int
    score_ms_per_user: float  # score_many over all candidates, per evaluated user
    build_ms_per_user: float  # build_vectors, per evaluated user
    seconds: float  # building + scoring + ranking for this method

    def as_dict(self) -> dict[str, object]:
        return {
            "method": self.method.name,
            "weights": self.method.weights,
            "recall": {str(m): round(r, 4) for m, r in self.recall.items()},
            "score_ms_per_user": round(self.score_ms_per_user, 4),
            "build_ms_per_user": round(self.build_ms_per_user, 4),
            "seconds": round(self.seconds, 2),
        }


@dataclass
class RunReport:
    benchmark: str
    users: int
    candidates: int
    results: list[MethodResult]
    fit_seconds: dict[str, float]
    settings: dict[str, object]
    seconds: float = 0.0

    def result(self, name: str) -> MethodResult:
        return next(r for r in self.results if r.method.name == name)


def sample_community(bench: Benchmark, members: int, seed: int = RANDOM_SEED) -> Benchmark:
    """A community of `members` users drawn from those with held-out items: only their
    train likes remain (the community model and co-likes are fitted on them), and only
    they are evaluated. Items stay the same, so the index is the whole benchmark's."""
    rng = np.random.default_rng(seed)
    pool = bench.eval_users
    if members >= pool.size:
        return bench
    chosen = np.sort(rng.choice(pool, members, replace=False))
    keep = sp.diags(np.isin(np.arange(bench.n_users), chosen).astype(np.float32))
    train, test = (keep @ bench.train).tocsr(), (keep @ bench.test).tocsr()
    train.eliminate_zeros()
    test.eliminate_zeros()
    notes = {**bench.notes, "community": f"{members} sampled members (seed {seed})"}
    return replace(bench, name=f"{bench.name}/community={members}", train=train, test=test, notes=notes)


@dataclass
class Fitted:
    """What the bot would hold for this community: the index and the models of its likes."""

    index: PaperIndex
    likes: sp.csr_matrix  # papers x users (train likes only)
    community: CommunityModel | None = None
    colikes: CoLikes | None = None
    semantic: SemanticContext | None = None
    seconds: dict[str, float] = field(default_factory=dict)


def fit(
    bench: Benchmark, community: bool = True, colikes: bool = True, embeddings: np.ndarray | None = None,
    index: PaperIndex | None = None,
) -> Fitted:
    """Fit what the bot would hold; with `embeddings` (items x 384) the semantic extra's model too.
    `index`: the items' index when already fitted (it depends only on the items' text)."""
    began = time.perf_counter()
    index = benchmark_index(bench) if index is None else index
    fitted = Fitted(index, bench.train.T.tocsr(), seconds={"index": time.perf_counter() - began})
    if community:
        began = time.perf_counter()
        fitted.community = fit_community(index.matrix, fitted.likes)
        fitted.seconds["community"] = time.perf_counter() - began
    if colikes:
        began = time.perf_counter()
        fitted.colikes = CoLikes.from_likes(fitted.likes)
        fitted.seconds["colikes"] = time.perf_counter() - began
    if embeddings is not None:
        began = time.perf_counter()
        fitted.semantic = semantic_context(embeddings, fitted.likes)
        fitted.seconds["semantic"] = time.perf_counter() - began
    return fitted


def profile_inputs(bench: Benchmark, user: int) -> ProfileInputs:
    """A user's profile: their train items, as liked papers."""
    train = bench.train
    items = train.indices[train.indptr[user] : train.indptr[user + 1]]
    return ProfileInputs(liked=[item_id(int(i)) for i in items])


def context(fitted: Fitted, method: Method) -> ScoringContext:
    weights = method.weights or {}
    return ScoringContext(
        fitted.index,
        fitted.community if weights.get("latent") else None,
        fitted.colikes if (weights.get("colike") or weights.get("popularity")) else None,
        reference_rows=fitted.index.reference_rows(),
        weights=dict(weights),
        semantic=fitted.semantic if method.needs_semantic else None,
    )


def run_method(
    bench: Benchmark, fitted: Fitted, method: Method, users: np.ndarray,
    cutoffs: Sequence[int] = DEFAULT_CUTOFFS, chunk: int = CHUNK,
) -> MethodResult:
    began = time.perf_counter()
    position = {int(u): j for j, u in enumerate(users)}
    if method.weights is None:
        rng = np.random.default_rng(RANDOM_SEED)
        build_s = 0.0

        def scores(batch: np.ndarray) -> np.ndarray:
            return rng.random((batch.size, bench.candidates.size), dtype=np.float32)

    else:
        ctx = context(fitted, method)
        t0 = time.perf_counter()
        vecs: list[ProfileVectors] = [build_vectors(ctx, profile_inputs(bench, int(u))) for u in users]
        build_s = time.perf_counter() - t0
        block = ctx.block(bench.candidates)  # once per digest in the bot, not per member

        def scores(batch: np.ndarray) -> np.ndarray:
            return score_many(ctx, [vecs[position[int(u)]] for u in batch], block)

    result = evaluate(scores, bench, cutoffs, users, batch_size=chunk)
    return MethodResult(
        method, result.recall, result.n_users, result.ms_per_user,
        1000 * build_s / max(users.size, 1), time.perf_counter() - began,
    )


def run_benchmark(
    bench: Benchmark,
    methods: Sequence[Method],
    cutoffs: Sequence[int] = DEFAULT_CUTOFFS,
    chunk: int = CHUNK,
    progress: Callable[[str], None] | None = None,
    embeddings: np.ndarray | None = None,
    index: PaperIndex | None = None,
) -> RunReport:
    """Fit once, then evaluate each method on every user with a held-out item.

    `embeddings` (items x 384, the semantic extra's) are needed by methods with semantic parts.
    """
    say = progress or (lambda _msg: None)
    began = time.perf_counter()
    need_community = any(m.needs_community for m in methods)
    need_colikes = any(m.needs_colikes for m in methods)
    say(f"{bench.name}: indexing {bench.n_items:,} items" + (" and fitting the community model" if need_community else ""))
    if embeddings is None and any(m.needs_semantic for m in methods):
        raise ValueError("methods with semantic parts need the items' embeddings")
    fitted = fit(bench, need_community, need_colikes, embeddings, index)
    users = bench.eval_users
    results = []
    for method in methods:
        say(f"{bench.name}: {method.name} on {users.size:,} users x {bench.candidates.size:,} candidates")
        results.append(run_method(bench, fitted, method, users, cutoffs, chunk))
    model = fitted.community
    settings: dict[str, object] = {
        "text": bench.notes.get("text", ""),
        "split": bench.notes.get("split", ""),
        "tfidf_terms": len(fitted.index.terms),
        "reference_papers": int(fitted.index.reference_rows().size),
        "exclude_train": bench.exclude_train,
    }
    if model is not None:
        settings.update(community_rank=model.rank, community_liked_papers=model.liked_papers,
                        community_members=model.members, ridge=RIDGE, max_rank=RANK)
    if fitted.semantic is not None:
        settings["semantic_model"] = "all-MiniLM-L6-v2"
        if fitted.semantic.community is not None:
            settings["semantic_rank"] = fitted.semantic.community.rank
    return RunReport(bench.name, int(users.size), int(bench.candidates.size), results,
                     fitted.seconds, settings, time.perf_counter() - began)


def community_draws(members: int, evaluated: int = 300, most: int = 20) -> int:
    """How many communities of `members` to draw so that about `evaluated` members are measured."""
    return max(1, min(most, -(-evaluated // max(members, 1))))


def run_community(
    bench: Benchmark,
    methods: Sequence[Method],
    members: int,
    cutoffs: Sequence[int] = DEFAULT_CUTOFFS,
    draws: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> RunReport:
    """`run_benchmark` on communities of `members` sampled members (`sample_community`),
    each fitted on its own train likes only; figures are the mean over `draws` communities."""
    began = time.perf_counter()
    draws = community_draws(members) if draws is None else draws
    index = benchmark_index(bench)  # the same items in every draw
    reports = [
        run_benchmark(sample_community(bench, members, seed), methods, cutoffs, progress=progress, index=index)
        for seed in range(draws)
    ]
    results = []
    for j, method in enumerate(methods):
        runs = [r.results[j] for r in reports]
        weights = np.array([r.users for r in runs], dtype=np.float64)
        results.append(MethodResult(
            method,
            {m: float(np.average([r.recall[m] for r in runs], weights=weights)) for m in cutoffs},
            int(weights.sum()),
            float(np.average([r.score_ms_per_user for r in runs], weights=weights)),
            float(np.average([r.build_ms_per_user for r in runs], weights=weights)),
            sum(r.seconds for r in runs),
        ))
    fit_seconds: dict[str, float] = {}
    for report in reports:
        for name, seconds in report.fit_seconds.items():
            fit_seconds[name] = fit_seconds.get(name, 0.0) + seconds
    settings = {**reports[0].settings, "community": members, "draws": len(reports),
                "community_rank": [r.settings.get("community_rank") for r in reports][:5]}
    return RunReport(f"{bench.name}/community={members}", sum(r.users for r in reports), reports[0].candidates,
                     results, fit_seconds, settings, time.perf_counter() - began)
