"""`paperbot eval ...`: recommendation quality on the public CiteULike benchmarks."""

from __future__ import annotations

import time
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from bot.cli._app import app
from bot.cli._common import err, fail, out, print_json

if TYPE_CHECKING:  # numpy, scipy and scikit-learn load only when the command runs
    from recommender.evaluation.run import Method, MethodResult, RunReport

DATA_DIR = Path("..") / "shared" / "data"
REPO = Path(__file__).resolve().parents[2]
CUTOFFS = (20, 50, 100, 300)


class Bench(str, Enum):
    citeulike_a = "citeulike-a"
    citeulike_t = "citeulike-t"


class Split(str, Enum):
    test = "test"
    validation = "validation"


# The bar of docs/quality.md: (cutoff, recall) for paperbot's own method.
BARS = {Bench.citeulike_a: (100, 0.55), Bench.citeulike_t: (300, 0.50)}
SEMANTIC_BARS = {Bench.citeulike_a: (100, 0.65), Bench.citeulike_t: (300, 0.50)}


def bar(bench: Bench, semantic: bool) -> tuple[int, float]:
    return (SEMANTIC_BARS if semantic else BARS)[bench]


def find_data(given: Path | None, name: str) -> Path:
    """The benchmark's folder: `<data>/<name>`, with data from --data or ../shared/data."""
    if given is not None:
        bases = [given]
    else:
        bases = [p for p in (Path.cwd() / DATA_DIR, REPO / DATA_DIR) if p.is_dir()]
        if not bases:
            fail(f"no benchmark data: neither ./{DATA_DIR} nor {REPO / DATA_DIR} exists; pass --data DIR "
                 f"(the folder holding {name}/)")
    for base in bases:
        if (base / name).is_dir():
            return (base / name).resolve()
        if base.name == name and base.is_dir():
            return base.resolve()
    fail(f"{name}/ not found in {', '.join(str(b) for b in bases)}")


def parse_weights(text: str) -> dict[str, float]:
    """`centroid=1,latent=2` -> {"centroid": 1.0, "latent": 2.0}."""
    from recommender.ranking.semantic import SEMANTIC_PARTS
    from recommender.ranking.weights import WEIGHTS

    parts = [*WEIGHTS, *SEMANTIC_PARTS]
    weights: dict[str, float] = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        name, _, value = item.partition("=")
        if name not in parts:
            fail(f"--weights: unknown part {name!r}; parts are {', '.join(parts)}")
        try:
            weights[name] = float(value)
        except ValueError:
            fail(f"--weights: {item!r} is not name=number")
    if not any(weights.values()):
        fail("--weights: give at least one non-zero weight")
    return weights


def _row(table: Table, result: MethodResult, kind: str) -> None:
    name = escape(result.method.name) + ("" if kind == "ours" else f" [dim]({kind})[/]")
    table.add_row(
        name, *(f"{result.recall[m]:.4f}" for m in CUTOFFS),
        f"{result.score_ms_per_user:.3f}", f"{result.build_ms_per_user:.2f}", f"{result.seconds:.1f}",
    )


def print_table(report: RunReport, bench: Bench, data: Path, ablations: list[Method], semantic: bool) -> None:
    cutoff, target = bar(bench, semantic)
    table = Table(title=f"{report.benchmark}: {report.users:,} users, {report.candidates:,} candidates ({data})",
                  title_justify="left")
    table.add_column("method", min_width=12, overflow="fold")
    for column in (*(f"R@{m}" for m in CUTOFFS), "score ms", "build ms", "s"):
        # Figures are never cut short, however narrow the terminal: the method column wraps instead.
        table.add_column(column, justify="right", no_wrap=True, min_width=max(len(column), 5))
    names = {m.name for m in ablations}
    for result in report.results:
        kind = "ablation" if result.method.name in names else ("ours" if result.method.name == "paperbot" else "baseline")
        _row(table, result, kind)
    out.print(table)
    out.print("weights:")
    for result in report.results:
        out.print(escape(f"  {result.method.name}: {result.method.describe()}"), soft_wrap=True)
    ours = report.result("paperbot").recall[cutoff]
    verdict = "[green]reached[/]" if ours >= target else "[red]not reached[/]"
    fits = ", ".join(f"{k} {v:.1f}s" for k, v in report.fit_seconds.items())
    settings = ", ".join(f"{k}={v}" for k, v in report.settings.items())
    out.print(f"bar recall@{cutoff} ≥ {target:.2f}: paperbot {ours:.4f}, {verdict}")
    out.print(f"fit: {fits}; total {report.seconds:.1f}s")
    out.print(f"settings: {settings}")
    out.print("score ms: score_many over every candidate, per user; build ms: build_vectors per user; s: seconds")


def as_json(
    report: RunReport, bench: Bench, split: str, ablations: list[Method], semantic: bool
) -> dict[str, object]:
    cutoff, target = bar(bench, semantic)
    ours = report.result("paperbot")
    names = {m.name for m in ablations}
    others = [r for r in report.results if r is not ours]
    return {
        "benchmark": bench.value,
        "split": split,
        "method": "paperbot",
        "semantic": semantic,
        "recall": {str(m): round(ours.recall[m], 4) for m in CUTOFFS},
        "seconds": round(report.seconds, 2),
        "ms_per_user": round(ours.score_ms_per_user, 4),
        "build_ms_per_user": round(ours.build_ms_per_user, 4),
        "weights": ours.method.weights,
        "users": report.users,
        "candidates": report.candidates,
        "bar": {"metric": f"recall@{cutoff}", "target": target, "reached": ours.recall[cutoff] >= target},
        "fit_seconds": {k: round(v, 2) for k, v in report.fit_seconds.items()},
        "settings": report.settings,
        "baselines": [r.as_dict() for r in others if r.method.name not in names],
        "ablations": [r.as_dict() for r in others if r.method.name in names],
    }


@app.command("eval")
def eval_command(
    benchmark: Bench = typer.Argument(..., help="Which benchmark to run."),
    data: Path | None = typer.Option(
        None, "--data", help="Folder holding citeulike-a/ and citeulike-t/ (default: ../shared/data)."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
    ablations: bool = typer.Option(False, "--ablations", help="Also run the ablations (parts left out)."),
    split: Split = typer.Option(
        Split.test, "--split", help="test: the published split; validation: likes held out of train (for tuning)."
    ),
    weights: str | None = typer.Option(
        None, "--weights", help="Score paperbot with these weights instead of the defaults, e.g. centroid=1,latent=2."
    ),
    semantic: bool = typer.Option(
        False, "--semantic", help="Use the semantic extra (needs `pip install 'paperbot[semantic]'`); "
        "embeddings are computed once and cached.",
    ),
) -> None:
    """Measure recall@20/50/100/300 through the bot's own profile and scoring code.

    Runs paperbot's method and, in the same run, the random and TF-IDF centroid
    baselines; prints the table (or --json) with run time and scoring cost per user.
    """
    root = find_data(data, benchmark.value)
    chosen = parse_weights(weights) if weights else None
    if semantic:
        from recommender.ranking.semantic import SemanticUnavailable, require_semantic

        try:
            require_semantic("`paperbot eval --semantic` needs the semantic extra")
        except SemanticUnavailable as exc:
            fail(escape(str(exc)))
    began = time.perf_counter()

    from recommender.evaluation.datasets import load_citeulike_a_cold, load_citeulike_t
    from recommender.evaluation.run import (
        ABLATIONS,
        BASELINES,
        SEMANTIC_ABLATIONS,
        paperbot,
        run_benchmark,
    )
    from recommender.evaluation.validation import validation_split

    try:
        bench = load_citeulike_a_cold(root) if benchmark is Bench.citeulike_a else load_citeulike_t(root)
    except (OSError, ValueError) as exc:
        fail(f"cannot read {root}: {exc}")
    if split is Split.validation:
        bench = validation_split(bench)
    extra = [*(SEMANTIC_ABLATIONS if semantic else ()), *ABLATIONS] if ablations else []
    methods = [paperbot(chosen, semantic), *BASELINES, *extra]
    embeddings = None
    if semantic:
        from bot.cli._common import progress_bar
        from recommender.evaluation.embeddings import benchmark_embeddings

        with progress_bar(f"embedding {bench.n_items:,} items", bench.n_items, json_out) as advance:
            embeddings, cached = benchmark_embeddings(bench, progress=advance)
        err.print(f"[dim]{bench.name}: embeddings {'from the cache' if cached else 'computed and cached'}[/]")
    report = run_benchmark(bench, methods, CUTOFFS, progress=lambda msg: err.print(f"[dim]{msg}[/]"),
                           embeddings=embeddings)
    report.seconds = time.perf_counter() - began  # loading the files included
    if json_out:
        print_json(as_json(report, benchmark, split.value, extra, semantic))
    else:
        print_table(report, benchmark, root, extra, semantic)
