"""`paperbot ingest ...`: import papers."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bot.cli import app
from bot.cli._common import err, fail, open_service, print_json
from recommender.ingest.errors import SourceError
from recommender.ingest.jsonl import open_text
from recommender.ingest.runner import IngestReport

ingest_app = typer.Typer(help="Import papers from files and sources.", no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")

PROBLEMS_SHOWN = 20


def count_lines(path: Path) -> int | None:
    try:
        with open_text(path) as stream:
            return sum(1 for _ in stream)
    except (OSError, EOFError):
        return None


def summary_table(report: IngestReport) -> Table:
    table = Table(title=f"ingest {report.source}: {report.status}", title_justify="left")
    for column in ("new", "updated", "unchanged", "skipped", "failed", "seconds"):
        table.add_column(column, justify="right")
    table.add_row(str(report.new), str(report.updated), str(report.unchanged), str(report.skipped),
                  str(report.failed), f"{report.seconds:.1f}")
    return table


def show_report(report: IngestReport, as_json: bool) -> None:
    if as_json:
        print_json(report.as_dict())
        return
    for problem in report.problems[:PROBLEMS_SHOWN]:
        err.print(f"[yellow]skipped[/] {problem}")
    if len(report.problems) > PROBLEMS_SHOWN:
        err.print(f"[yellow]… and {report.skipped - PROBLEMS_SHOWN} more skipped records.[/]")
    err.print(summary_table(report))


@ingest_app.command("file")
def ingest_file(
    path: Path = typer.Argument(..., help="A JSON Lines file (.jsonl or .jsonl.gz) in the arXiv sample's schema."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Import papers from a JSON Lines file. Re-importing changes nothing; bad lines are reported and skipped."""
    if not path.is_file():
        fail(f"{path}: no such file")
    service = open_service(seed=False)
    total = count_lines(path)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=err, transient=True, disable=as_json) as progress:
            task = progress.add_task(f"importing {path.name}", total=total)
            report = service.ingest_file(path, lambda n: progress.advance(task, n))
    except SourceError as exc:
        fail(str(exc))
    show_report(report, as_json)
    if report.seen == 0:
        fail(f"{path}: no records found", 1)
