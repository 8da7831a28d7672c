"""`paperbot bench ...`: measure ingestion against the project's bars."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy import func, select

from bot.cli._app import app
from bot.cli._common import err, fail, out, print_json
from recommender.ingest.errors import SourceError
from recommender.ingest.jobs import run_file
from recommender.ingest.seed import demo_corpus_path
from recommender.storage.db import Database
from recommender.storage.models import Paper

bench_app = typer.Typer(help="Benchmarks.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")

IMPORT_BAR = 60.0
REIMPORT_BAR = 30.0


def _snapshot(db: Database) -> tuple[int, object, object]:
    with db.session() as s:
        return s.execute(select(func.count(Paper.id), func.max(Paper.modified_at), func.max(Paper.ingested_at))).one()


@bench_app.command("ingest")
def bench_ingest(
    data: Path | None = typer.Option(None, "--data", help="A JSON Lines file (.jsonl/.jsonl.gz); default: the bundled demo corpus."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
) -> None:
    """Import a file into a fresh SQLite database, then import it again; print both times.

    Bars: the first import of the 74,728-record arXiv sample in at most 60 s, the
    re-import in at most 30 s, and the re-import changes nothing.
    """
    path = data or demo_corpus_path()
    if not path.is_file():
        fail(f"{path}: no such file")
    with tempfile.TemporaryDirectory(prefix="paperbot-bench-") as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        db.upgrade()
        try:
            err.print(f"[dim]importing {path} into a fresh SQLite database…[/]")
            t0 = time.perf_counter()
            first = run_file(db, path, "jsonl")
            first_s = time.perf_counter() - t0
            before = _snapshot(db)
            err.print("[dim]importing it again…[/]")
            t0 = time.perf_counter()
            again = run_file(db, path, "jsonl")
            again_s = time.perf_counter() - t0
            after = _snapshot(db)
        except SourceError as exc:
            fail(str(exc))
        finally:
            db.dispose()
    unchanged = before == after and again.new == 0 and again.updated == 0
    figures = {
        "file": str(path),
        "records": first.seen,
        "papers_stored": before[0],
        "import_seconds": round(first_s, 2),
        "import_bar_seconds": IMPORT_BAR,
        "reimport_seconds": round(again_s, 2),
        "reimport_bar_seconds": REIMPORT_BAR,
        "reimport_changed_nothing": unchanged,
        "reimport_counts": {"new": again.new, "updated": again.updated, "unchanged": again.unchanged},
        "records_per_second": round(first.seen / first_s) if first_s else None,
    }
    if as_json:
        print_json(figures)
    else:
        table = Table(title=f"ingest benchmark: {path.name} ({first.seen:,} records)", title_justify="left")
        for column in ("step", "seconds", "bar", "result"):
            table.add_column(column, justify="right" if column != "step" else "left")
        table.add_row("import (new database)", f"{first_s:.1f}", f"≤ {IMPORT_BAR:.0f}",
                      f"{first.new:,} new, {first.skipped} skipped")
        table.add_row("re-import", f"{again_s:.1f}", f"≤ {REIMPORT_BAR:.0f}",
                      "changed nothing" if unchanged else f"CHANGED: {again.new} new, {again.updated} updated")
        out.print(table)
    ok = first_s <= IMPORT_BAR and again_s <= REIMPORT_BAR and unchanged
    if not ok:
        raise typer.Exit(1)


SCORE_TARGET_SECONDS = 10.0


@bench_app.command("score")
def bench_score(
    data: Path | None = typer.Option(None, "--data", help="Papers as JSON Lines (.jsonl/.jsonl.gz); default: the bundled demo corpus."),
    members: int = typer.Option(100_000, "--members", min=1, max=1_000_000, help="Synthetic members to score for."),
    papers: int = typer.Option(2_000, "--papers", min=10, max=50_000, help="Newest papers to score (the digest's candidates)."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
) -> None:
    """Score the newest papers for many members with the digest code; print time and memory.

    Target: 2,000 new papers for 100,000 members in about 10 s on two cores.
    """
    import json

    from recommender.evaluation.scale import run_scale
    from recommender.ingest.jsonl import open_text

    path = data or demo_corpus_path()
    if not path.is_file():
        fail(f"{path}: no such file")
    with open_text(path) as stream:
        records = [json.loads(line) for line in stream if line.strip()]
    if len(records) <= papers:
        fail(f"{path} has {len(records):,} papers; --papers must be smaller than that")
    result = run_scale(records, members, papers, progress=lambda msg: err.print(f"[dim]{msg}[/]"))
    figures = {"file": str(path), "papers": result.papers, "members": members, "candidates": papers,
               **{k: round(v, 3) for k, v in result.figures.items()}, "target_seconds": SCORE_TARGET_SECONDS}
    if as_json:
        print_json(figures)
        return
    table = Table(title=f"digest scoring: {papers:,} papers x {members:,} members", title_justify="left")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in figures.items():
        if key not in ("file",):
            table.add_row(key, f"{value:,.3f}" if isinstance(value, float) else f"{value:,}")
    out.print(table)
