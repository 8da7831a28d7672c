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
    topics = "topics"  # `paperbot eval topics citeulike-a|citeulike-t`
    onboarding = "onboarding"  # `paperbot eval onboarding [citeulike-a]`: the five-paper start


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


def parse_community(text: str | None) -> int | None:
    """`--community`: a number of members (at least 5, what the community model needs) or `all`."""
    if text is None or text.strip().lower() == "all":
        return None
    try:
        members = int(text)
    except ValueError:
        fail(f"--community: {text!r} is not a number of members or `all`")
    if members < 5:
        fail(f"--community: {members} members is too few; the community model needs at least 5")
    return members


@app.command("eval")
def eval_command(
    benchmark: Bench = typer.Argument(..., help="Which benchmark to run (`topics` takes the dataset next)."),
    dataset: Bench | None = typer.Argument(None, help="With `topics` (and `onboarding`): citeulike-a or citeulike-t, whose tags are the topics."),
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
    tag_half: str = typer.Option(
        "all", "--tags", help="`eval topics`: all the usable tags, or one fixed half of them: `validation` "
        "(where the topic parts' settings were chosen) or `test`.",
    ),
    community: str | None = typer.Option(
        None, "--community", help="Sample N members, fit the community on their train likes only and "
        "measure them (mean over several draws for small N); `all` is the whole benchmark.",
    ),
    members: int = typer.Option(300, "--members", min=1, help="With `onboarding`: how many members to simulate."),
    member_half: str = typer.Option(
        "all", "--half", help="`eval onboarding`: all the members, or one fixed half of them: `validation` (even ids, "
        "where the start's settings were chosen) or `test` (odd ids).",
    ),
    limit: int | None = typer.Option(
        None, "--limit", min=1, help="`eval topics`: only the first N usable tags (of the chosen half), for a quick check.",
    ),
) -> None:
    """Measure recall@20/50/100/300 through the bot's own profile and scoring code.

    Runs paperbot's method and, in the same run, the random and TF-IDF centroid
    baselines; prints the table (or --json) with run time and scoring cost per user.
    """
    if benchmark is Bench.onboarding:
        if dataset not in (None, Bench.citeulike_a, Bench.citeulike_t):
            fail("usage: paperbot eval onboarding [citeulike-a|citeulike-t] [--members N] [--half all|validation|test] "
                 "[--data DIR] [--json]")
        run_onboarding_command(dataset or Bench.citeulike_a, data, json_out, members, member_half)
        return
    if benchmark is Bench.topics:
        if dataset is None or dataset is Bench.topics:
            fail("usage: paperbot eval topics citeulike-a|citeulike-t [--data DIR] [--tags all|validation|test] "
                 "[--limit N] [--json]")
        run_topics_command(dataset, data, json_out, tag_half, limit)
        return
    if dataset is not None:
        fail(f"`paperbot eval {benchmark.value}` takes no second benchmark (only `topics` does)")
    members = parse_community(community)
    if members is not None and (semantic or split is Split.validation):
        fail("--community runs the default install on the test split (no --semantic, no --split validation)")
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
    say = lambda msg: err.print(f"[dim]{msg}[/]")  # noqa: E731
    if members is not None:
        from recommender.evaluation.run import run_community

        report = run_community(bench, methods, members, CUTOFFS, progress=say)
    else:
        report = run_benchmark(bench, methods, CUTOFFS, progress=say, embeddings=embeddings)
    report.seconds = time.perf_counter() - began  # loading the files included
    if json_out:
        figures = as_json(report, benchmark, split.value, extra, semantic)
        if members is not None:
            figures.update(community_json(report, members))
        print_json(figures)
    else:
        print_table(report, benchmark, root, extra, semantic)
        if members is not None:
            print_community(report, members)


CENTROID = "tfidf-centroid"
COMMUNITY_BAR = 100  # the headline cutoff of CiteULike-a


def community_json(report: RunReport, members: int) -> dict[str, object]:
    """What `--community N` adds: N, the centroid on the same members, and its own bar."""
    ours, centroid = report.result("paperbot"), report.result(CENTROID)
    return {
        "community": members,
        "draws": report.settings.get("draws"),
        "baseline": {"method": CENTROID, "recall": {str(m): round(centroid.recall[m], 4) for m in CUTOFFS}},
        "community_bar": {"metric": f"recall@{COMMUNITY_BAR} ≥ the centroid's on the same members",
                          "reached": ours.recall[COMMUNITY_BAR] >= centroid.recall[COMMUNITY_BAR]},
    }


def print_community(report: RunReport, members: int) -> None:
    ours, centroid = report.result("paperbot"), report.result(CENTROID)
    ok = ours.recall[COMMUNITY_BAR] >= centroid.recall[COMMUNITY_BAR]
    below = [f"R@{m}" for m in CUTOFFS if ours.recall[m] < centroid.recall[m]]
    verdict = "[green]reached[/]" if ok else "[red]not reached[/]"
    out.print(f"community of {members} members ({report.settings.get('draws')} draws, {report.users:,} members "
              f"measured): recall@{COMMUNITY_BAR} ≥ the TF-IDF centroid on the same members: {verdict}"
              + (f"; below the centroid at {', '.join(below)}" if below else ""))


def run_topics_command(
    dataset: Bench, data: Path | None, json_out: bool, tag_half: str = "all", limit: int | None = None
) -> None:
    """`paperbot eval topics DATASET`: each usable tag as a followed topic, through the product."""
    from recommender.config import Settings

    root = find_data(data, dataset.value)
    began = time.perf_counter()
    from recommender.evaluation.datasets import (
        load_citeulike_a_cold,
        load_citeulike_a_tags,
        load_citeulike_t,
        load_citeulike_t_tags,
    )
    from recommender.evaluation.topics import METRICS, SPLITS, run_topics

    if tag_half not in SPLITS:
        fail(f"--tags takes {', '.join(SPLITS)}")

    try:
        if dataset is Bench.citeulike_a:
            bench = load_citeulike_a_cold(root)
            tags = load_citeulike_a_tags(root, bench.n_items)
        else:
            bench = load_citeulike_t(root)
            tags = load_citeulike_t_tags(root, bench.n_items)
        defaults = Settings.model_fields
        result = run_topics(bench, tags, float(defaults["min_score"].default), float(defaults["diversity"].default),
                            progress=lambda msg: err.print(f"[dim]{msg}[/]"), split=tag_half, limit=limit)
    except (OSError, ValueError) as exc:
        fail(f"cannot run the topic benchmark on {root}: {escape(str(exc))}")
    result.seconds = time.perf_counter() - began
    if json_out:
        print_json(result.as_dict())
        return
    half = ("" if tag_half == "all" else f", the {tag_half} half") + (f", the first {limit}" if limit else "")
    table = Table(title=f"topics of {dataset.value}: {result.topics:,} tags as topics{half} ({root})", title_justify="left")
    table.add_column("method", min_width=12, overflow="fold")
    for name in METRICS:
        table.add_column(name, justify="right", no_wrap=True)
    table.add_row("TF-IDF cosine of the topic (baseline)", *(f"{result.baseline[m]:.4f}" for m in METRICS))
    table.add_row("paperbot, without the community parts", *(f"{result.text_only[m]:.4f}" for m in METRICS))
    table.add_row("paperbot, without the threshold", *(f"{result.uncut[m]:.4f}" for m in METRICS))
    table.add_row("[bold]paperbot[/] (default ranking)", *(f"{result.figures[m]:.4f}" for m in METRICS))
    out.print(table)
    gain = result.gain()
    verdict = "[green]reached[/]" if gain >= 0.10 else "[red]not reached[/]"
    out.print(f"bar nDCG@10 ≥ 10 % above the baseline: {gain:+.1%}, {verdict}")
    for half, h in result.halves.items():
        out.print(f"  {half} half ({h['topics']:,} tags): nDCG@10 {h['ours']['ndcg@10']:.4f} against "
                  f"{h['baseline']['ndcg@10']:.4f}, {result.gain(h['ours'], h['baseline']):+.1%}")
    out.print(f"settings: {', '.join(f'{k}={v}' for k, v in result.settings.items())}; total {result.seconds:.1f}s")


def run_onboarding_command(dataset: Bench, data: Path | None, json_out: bool, members: int, half: str = "all") -> None:
    """`paperbot eval onboarding [DATASET]`: the five-paper start, spread against the top five and random five."""
    root = find_data(data, dataset.value)
    began = time.perf_counter()
    from recommender.evaluation.datasets import (
        load_citeulike_a_cold,
        load_citeulike_a_tags,
        load_citeulike_t,
        load_citeulike_t_tags,
        read_adjacency,
    )
    from recommender.evaluation.onboarding import HALVES, METRICS, REFERENCE, STRATEGIES, run_onboarding

    if half not in HALVES:
        fail(f"--half takes {', '.join(HALVES)}")
    say = lambda msg: err.print(f"[dim]{msg}[/]")  # noqa: E731
    try:
        if dataset is Bench.citeulike_a:
            bench = load_citeulike_a_cold(root)
            tags = load_citeulike_a_tags(root, bench.n_items)
            library = read_adjacency(root / "users.dat", bench.n_items)
        else:
            bench = load_citeulike_t(root)
            tags = load_citeulike_t_tags(root, bench.n_items)
            library = bench.train + bench.test  # the P=10 split's two parts: every member's whole library
        result = run_onboarding(bench, library, tags, members, progress=say, half=half)
    except (OSError, ValueError) as exc:
        fail(f"cannot run the onboarding benchmark on {root}: {escape(str(exc))}")
    seconds = time.perf_counter() - began
    if json_out:
        print_json({**result.as_dict(), "total_seconds": round(seconds, 2)})
        return
    who = "" if half == "all" else f" ({half} half)"
    for run in result.runs:
        table = Table(title=f"five-paper start, {result.members:,} {dataset.value} members{who}; hits: {run.hits}; "
                      f"ratings: {run.rater}", title_justify="left")
        table.add_column("five papers", min_width=12)
        for name in METRICS:
            table.add_column(name, justify="right", no_wrap=True)
        for name in (*STRATEGIES, REFERENCE):
            label = "[bold]spread[/] (the bot)" if name == "spread" else name
            table.add_row(label, *(f"{run.figures[name][m]:.4f}" for m in METRICS))
        out.print(table)
        beats = ", ".join(f"{k} on {v:.0%} of members (same on {run.ties[k]:.0%})" for k, v in run.wins.items())
        out.print(f"spread has a higher nDCG@10 than {beats}")
        gains = ", ".join(f"{k} {m:+.4f} ± {e:.4f}" for k, (m, e) in run.gain.items())
        out.print(f"spread's nDCG@10 minus (mean over members ± standard error): {gains}")
    out.print(f"the papers any way showed are left out of every ranking and every member's hits; "
              f"total {seconds:.1f}s (TF-IDF index {result.index_seconds:.1f}s)")
