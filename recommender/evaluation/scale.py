"""The scale benchmarks behind `paperbot bench digest` and `bench refold`: the daily digest
of U members over the P newest papers, computed as the bot computes it, and the daily
rebuild of every member's vectors, on synthetic members made from real papers
(evaluation/synthetic.py).

The digest is run in a fresh process that loads what a running bot holds (the index,
the community's models, the members' vectors as one `Population`) and then selects
every member's picks; its time and peak memory are those of that process, so the
setup here (fitting the index and the community model, a daily job) does not count.
The same run measures the straightforward per-member loop (`ranker.rank` for each
member, the `/recommend` code) and arxiv-sanity-lite's per-user LinearSVC on a
subsample, scales both to every member, and checks that the batched picks equal the
per-member picks on that subsample.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import dataclasses

import joblib
import numpy as np
import scipy.sparse as sp

from recommender.config import Settings
from recommender.evaluation import synthetic
from recommender.ranking import kernels
from recommender.ranking.community import CoLikes, fit_community
from recommender.ranking.context import ScoringContext
from recommender.ranking.index import PaperIndex
from recommender.ranking.population import Population, build_population, select
from recommender.ranking.profile import build_vectors
from recommender.ranking.ranker import exclusion_matrix, rank, recency_weight

SUBSAMPLE = 300  # members run one by one (the loop, and the check of the batched picks)
SVM_USERS = 8  # members whose LinearSVC is trained and timed


T = TypeVar("T")


def _status_mb(field: str) -> float | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def rss_mb(field: str = "VmRSS") -> float:
    """This process's resident set now (MB); `field`: VmRSS, or its RssAnon / RssFile part."""
    return _status_mb(field) or 0.0


def peak_rss_mb() -> float:
    """This process's peak resident set (MB): Linux's VmHWM, which starts afresh at exec.
    (`ru_maxrss` does not: a process started by a big one reports the parent's size.)"""
    peak = _status_mb("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


@dataclass
class Setup:
    """What a digest is computed from: the index, the community's models, the members."""

    index: PaperIndex
    ctx: ScoringContext
    community: synthetic.Community
    candidates: np.ndarray  # index rows of the digest's candidates (the newest papers)
    figures: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def cached(directory: Path | None, name: str, make: Callable[[], T], say: Callable[[str], None] = lambda _m: None) -> tuple[T, bool]:
    """`make()`, kept in `directory/name` (joblib) and read back from there on the next run."""
    if directory is None:
        return make(), False
    path = directory / name
    if path.exists():
        say(f"reusing {path}")
        return joblib.load(path), True
    value = make()
    directory.mkdir(parents=True, exist_ok=True)
    joblib.dump(value, path.with_suffix(".part"), compress=0)
    path.with_suffix(".part").replace(path)
    return value, False


def prepare(
    records: list[dict], users: int, papers: int, corpus: int | None = None, seed: int = 0,
    say: Callable[[str], None] = lambda _m: None, cache: Path | None = None,
) -> Setup:
    """Index the records (resampled to `corpus` papers), make `users` members, fit the community model.

    With `cache`, each step's result is kept there (by the sizes and seed) and reused by the
    next run with the same sizes; the figures then say which steps were reused.
    """
    fig: dict[str, float] = {}
    notes = []
    size = corpus or len(records)
    if size != len(records):
        notes.append(f"corpus of {size:,} papers made by resampling the {len(records):,} real records "
                     "(copies keep their text, get new ids and earlier dates)")
    t0 = time.perf_counter()
    index, reused = cached(cache, f"index-{len(records)}-{size}.joblib", lambda: synthetic.resampled_index(records, size), say)
    fig["index_seconds"] = time.perf_counter() - t0
    say(f"index: {len(index):,} papers, {len(index.terms):,} terms ({fig['index_seconds']:.1f}s)")
    order = np.argsort(index.published, kind="stable")
    candidates, pool = np.sort(order[-papers:]), order[:-papers]
    cats = [records[i % len(records)].get("categories") or [] for i in range(size)] if size <= 2 * len(records) else None
    titles = [records[i % len(records)]["title"] for i in range(size)] if size <= 2 * len(records) else None
    t0 = time.perf_counter()
    key = f"{len(records)}-{size}-{papers}-{users}-{seed}"
    community, reused_members = cached(
        cache, f"members-{key}.joblib", lambda: synthetic.members(index, pool, candidates, users, cats, titles, seed), say)
    fig["members_seconds"] = time.perf_counter() - t0
    likes = synthetic.likes_matrix(index, community.inputs)
    say(f"{users:,} members ({likes.nnz:,} likes); fitting the community model")
    t0 = time.perf_counter()
    model, reused_model = cached(cache, f"community-{key}.joblib", lambda: fit_community(index.matrix, likes), say)
    fig["community_fit_seconds"] = time.perf_counter() - t0
    say(f"community model ({fig['community_fit_seconds']:.1f}s)")
    if reused or reused_members or reused_model:
        notes.append(f"setup read from {cache}: " + ", ".join(
            n for n, r in (("index", reused), ("members", reused_members), ("community model", reused_model)) if r)
            + " (its *_seconds figures are the reading, not the fit)")
    ctx = ScoringContext(index, model, CoLikes.from_likes(likes), reference_rows=index.reference_rows(), version="bench")
    return Setup(index, ctx, community, candidates, fig, notes)


def refold(setup: Setup, say: Callable[[str], None] = lambda _m: None) -> tuple[Population, dict[str, float]]:
    """Every member's vectors rebuilt at once (the daily job after the community refit)."""
    t0 = time.perf_counter()
    pop = build_population(setup.ctx, setup.community.inputs)
    seconds = time.perf_counter() - t0
    say(f"refold: {pop.size:,} members in {seconds:.1f}s")
    n = min(200, pop.size)
    t0 = time.perf_counter()
    for inp in setup.community.inputs[:n]:
        build_vectors(setup.ctx, inp)
    loop = (time.perf_counter() - t0) / max(n, 1)
    return pop, {"seconds": seconds, "members": pop.size, "ms_per_member": 1000 * seconds / max(pop.size, 1),
                 "population_mb": pop.nbytes() / 2**20, "loop_ms_per_member": 1000 * loop,
                 "loop_seconds_scaled": loop * pop.size, "speedup_vs_loop": loop * pop.size / max(seconds, 1e-9)}


@dataclass
class DigestJob:
    """What the digest process loads: as a bot holds it."""

    ctx: ScoringContext
    pop: Population
    candidates: np.ndarray
    exclude: sp.csr_matrix
    limit: int
    min_score: float
    diversity: float
    half_life: float
    check: np.ndarray  # members whose picks are sent back for the check


def digest_process(path: str, out: str) -> None:
    """The digest process: load what a bot holds, select every member's picks, write the figures."""
    t0 = time.perf_counter()
    job: DigestJob = joblib.load(path)
    loaded = time.perf_counter() - t0
    rss_loaded = peak_rss_mb()
    kernels.warm()  # as a running bot has them (the service loads them at start)
    t0 = time.perf_counter()
    block = job.ctx.block(job.candidates)
    recency = recency_weight(job.ctx.index, job.candidates, job.half_life)
    sel = select(job.ctx, job.pop, block, job.exclude, job.limit, job.min_score, diversity=job.diversity, recency=recency)
    seconds = time.perf_counter() - t0
    picks = [[(int(job.candidates[p]), s, part) for p, s, part in sel.of(int(m))] for m in job.check]
    figures = {
        "seconds": seconds, "load_seconds": loaded, "peak_rss_mb": peak_rss_mb(), "loaded_rss_mb": rss_loaded,
        "picks": int((sel.positions >= 0).sum()), "members_with_picks": int((sel.positions[:, 0] >= 0).sum()),
        "check": picks,
    }
    del sel, block
    figures["growth"] = growth(job)
    Path(out).write_text(json.dumps(figures))


def growth(job: DigestJob) -> list[dict[str, float]]:
    """How the digest's time grows: fewer members (all candidates), then fewer candidates (all members)."""
    users, papers = job.pop.size, job.candidates.size
    sizes = [(max(1, users // 10), papers), (max(1, users // 3), papers), (users, max(10, papers // 4)),
             (users, max(10, papers // 2))]
    out = []
    for u, p in sizes:
        cands = job.candidates[:p]
        t0 = time.perf_counter()
        block = job.ctx.block(cands)
        select(job.ctx, job.pop.head(u), block, job.exclude[:u, :p], job.limit, job.min_score,
               diversity=job.diversity, recency=recency_weight(job.ctx.index, cands, job.half_life))
        out.append({"users": u, "papers": p, "seconds": round(time.perf_counter() - t0, 3)})
    return out


def run_digest(
    setup: Setup, pop: Population, settings: Settings | None = None, say: Callable[[str], None] = lambda _m: None,
    subsample: int = SUBSAMPLE, svm_users: int = SVM_USERS,
) -> dict[str, object]:
    settings = settings or Settings(_env_file=None)  # type: ignore[call-arg]
    ctx, index, cands = setup.ctx, setup.index, setup.candidates
    inputs = setup.community.inputs
    rng = np.random.default_rng(1)
    check = np.sort(rng.choice(pop.size, size=min(subsample, pop.size), replace=False))
    job = DigestJob(dataclasses.replace(ctx, _reference=None), pop, cands, exclusion_matrix(index, cands, [i.exclude for i in inputs]), settings.digest_size,
                    settings.min_score, settings.diversity, settings.recency_half_life_days, check)
    with tempfile.TemporaryDirectory(prefix="paperbot-bench-") as tmp:
        path = str(Path(tmp) / "digest.joblib")
        joblib.dump(job, path, compress=0)
        del job
        say(f"digest: {pop.size:,} members x {cands.size:,} papers, in a fresh process")
        answer = Path(tmp) / "figures.json"
        code = f"from recommender.evaluation.scale import digest_process; digest_process({path!r}, {str(answer)!r})"
        subprocess.run([sys.executable, "-c", code], check=True)
        result = json.loads(answer.read_text())
    batched = result.pop("check")
    # The per-member loop: the same candidates, exclusions, threshold, diversity and recency.
    say(f"per-member loop on {check.size} members")
    vecs = [build_vectors(ctx, inputs[m]) for m in check]
    t0 = time.perf_counter()
    loop_picks = []
    for m, vec in zip(check, vecs):
        keep = np.array([str(index.ids[r]) not in inputs[m].exclude for r in cands], dtype=bool)
        picks = rank(ctx, vec, cands[keep], settings.digest_size, settings.min_score, diversity=settings.diversity,
                     recency_half_life=settings.recency_half_life_days)
        loop_picks.append([(int(index.row[p.paper_id]), p.score) for p in picks])
    loop = (time.perf_counter() - t0) / check.size
    same = sum(1 for a, b in zip(batched, loop_picks) if [r for r, *_ in a] == [r for r, _ in b])
    close = all(abs(sa - sb) <= 1e-3 * max(1.0, abs(sb)) for a, b in zip(batched, loop_picks)
                for (ra, sa, _), (rb, sb) in zip(a, b) if ra == rb)
    say(f"LinearSVC (arxiv-sanity-lite) for {svm_users} members")
    svm = svm_seconds_per_user(index, inputs, svm_users)
    seconds = float(result["seconds"])
    with_likes = sum(1 for i in inputs if i.liked)
    figures: dict[str, object] = {
        "users": pop.size, "papers": int(cands.size), "corpus": len(index),
        "seconds": round(seconds, 3), "peak_rss_mb": round(float(result["peak_rss_mb"]), 1),
        "loaded_rss_mb": round(float(result["loaded_rss_mb"]), 1), "load_seconds": round(float(result["load_seconds"]), 2),
        "ms_per_member": round(1000 * seconds / pop.size, 4),
        "picks": result["picks"], "members_with_picks": result["members_with_picks"],
        "loop_ms_per_member": round(1000 * loop, 3), "loop_seconds_scaled": round(loop * pop.size, 1),
        "speedup_vs_loop": round(loop * pop.size / seconds, 1),
        "svm_seconds_per_user": round(svm, 3), "svm_users": with_likes,
        "svm_seconds_scaled": round(svm * with_likes, 1), "speedup_vs_svm": round(svm * with_likes / seconds, 1),
        "growth": result.get("growth", []) + [{"users": pop.size, "papers": int(cands.size), "seconds": round(seconds, 3)}],
        "check_members": int(check.size), "check_same_picks": same, "check_scores_close": close,
        "settings": {"size": settings.digest_size, "min_score": settings.min_score, "diversity": settings.diversity,
                     "recency_half_life_days": settings.recency_half_life_days},
    }
    return figures


def svm_seconds_per_user(index: PaperIndex, inputs: list, users: int) -> float:
    """arxiv-sanity-lite's recommendation for one user: a LinearSVC trained on every paper of
    the corpus (the liked ones positive), then the decision function over the corpus."""
    from sklearn.svm import LinearSVC

    chosen = [i for i in inputs if i.liked][:users]
    if not chosen:
        return 0.0
    t0 = time.perf_counter()
    for inp in chosen:
        y = np.zeros(len(index), dtype=np.int8)
        y[[index.row[p] for p in inp.liked]] = 1
        clf = LinearSVC(class_weight="balanced", verbose=False, max_iter=10000, tol=1e-6, C=0.01)
        clf.fit(index.matrix, y)
        clf.decision_function(index.matrix)
    return (time.perf_counter() - t0) / len(chosen)
