"""`paperbot ingest ...`: import papers from arXiv, OAI-PMH, Hugging Face and local files."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from bot.cli._app import app
from bot.cli._common import err, fail, open_service, print_json, progress_bar
from recommender.ingest.errors import SourceError
from recommender.ingest.files import FORMATS, detect_format
from recommender.ingest.jsonl import open_text
from recommender.ingest.oai import FORMATS as OAI_FORMATS
from recommender.ingest.runner import IngestReport

if TYPE_CHECKING:
    from recommender.service import PaperService

ingest_app = typer.Typer(help="Import papers from arXiv, OAI-PMH, Hugging Face and files.", no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")

PROBLEMS_SHOWN = 20


def count_lines(path: Path) -> int | None:
    try:
        with open_text(path) as stream:
            return sum(1 for _ in stream)
    except (OSError, EOFError, UnicodeError, SourceError):
        return None


def summary_table(report: IngestReport) -> Table:
    title = f"ingest {report.source}: {report.status}"
    if report.empty_reason:
        title += f" ({report.empty_reason})"
    table = Table(title=title, title_justify="left")
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
        err.print(f"[yellow]skipped[/] {escape(str(problem))}")
    if len(report.problems) > PROBLEMS_SHOWN:
        err.print(f"[yellow]… and {report.skipped - PROBLEMS_SHOWN} more skipped records.[/]")
    for note in report.notes[:PROBLEMS_SHOWN]:
        err.print(f"[dim]cut[/] {escape(str(note))}")
    if len(report.notes) > PROBLEMS_SHOWN:
        err.print(f"[dim]… and {len(report.notes) - PROBLEMS_SHOWN} more fields cut.[/]")
    if report.message:
        err.print(f"[dim]{escape(report.message)}[/]")
    err.print(summary_table(report))


def run_source(label: str, as_json: bool, total: int | None, call: Callable[[PaperService, Callable[[int], None]], IngestReport]) -> None:
    """Run one ingestion with a progress bar; print the summary; exit non-zero when the source failed."""
    service = open_service(seed=False)
    try:
        with progress_bar(label, total, as_json) as advance:
            report = call(service, advance)
    except SourceError as exc:
        fail(f"{escape(str(exc))}\nThe papers read before the failure were kept; run the same command again to continue.")
    finally:
        service.close()
    show_report(report, as_json)


def parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option}: {value!r} is not a date in YYYY-MM-DD form", 2)


@ingest_app.command("file")
def ingest_file(
    path: Path = typer.Argument(..., help="A JSON Lines (.jsonl, .jsonl.gz), CSV (.csv) or BibTeX (.bib) file."),
    fmt: str | None = typer.Option(None, "--format", help=f"Override the format: {', '.join(FORMATS)}."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Import papers from a file. Re-importing changes nothing; bad records are reported and skipped."""
    if not path.is_file():
        fail(f"{path}: no such file")
    if fmt is not None and fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}", 2)
    try:
        kind = fmt or detect_format(path)
    except SourceError as exc:
        fail(escape(str(exc)), 2)
    total = count_lines(path) if kind == "jsonl" else None
    service = open_service(seed=False)
    try:
        with progress_bar(f"importing {path.name}", total, as_json) as advance:
            report = service.ingest_file(path, advance, kind)
    except SourceError as exc:
        fail(escape(str(exc)))
    finally:
        service.close()
    show_report(report, as_json)
    if report.seen == 0:
        fail(f"{path}: no records found", 1)


@ingest_app.command("arxiv")
def ingest_arxiv(
    category: list[str] = typer.Option(None, "--category", "-c", help="arXiv category (repeatable); default: PAPERBOT_ARXIV_CATEGORIES."),
    query: str | None = typer.Option(None, "--query", "-q", help="Backfill from an API search instead, e.g. 'cat:cs.LG AND abs:diffusion'."),
    limit: int = typer.Option(1000, "--max", min=1, max=50000, help="With --query: at most this many results."),
    page_size: int = typer.Option(200, "--page-size", min=10, max=2000, help="With --query: results per request."),
    no_cross: bool = typer.Option(False, "--no-cross", help="Skip cross-listed papers in the daily listing."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Today's new papers from the arXiv listing, or a backfill with --query (paced: 1 request / 3 s)."""
    if query:
        run_source(f"arXiv query {query!r}", as_json, limit,
                   lambda s, p: s.ingest_arxiv_query(query, limit, page_size, p))
    else:
        run_source("arXiv daily listing", as_json, None,
                   lambda s, p: s.ingest_arxiv(category or None, False if no_cross else None, p))


@ingest_app.command("oai")
def ingest_oai(
    start: str = typer.Option(..., "--from", help="First datestamp (YYYY-MM-DD)."),
    end: str | None = typer.Option(None, "--until", help="Last datestamp (YYYY-MM-DD); default: today."),
    metadata: str = typer.Option("arXiv", "--format", help=f"Metadata format: {', '.join(OAI_FORMATS)}."),
    set_spec: str | None = typer.Option(None, "--set", help="OAI set, e.g. cs or cs:cs:LG."),
    chunk_days: int = typer.Option(7, "--chunk-days", min=1, max=366, help="Harvest the range this many days at a time."),
    restart: bool = typer.Option(False, "--restart", help="Forget saved progress and start the range again."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Bulk backfill over OAI-PMH. Resumable: an interrupted run continues where it stopped."""
    first = parse_day(start, "--from")
    last = parse_day(end, "--until") if end else date.today()
    if last < first:
        fail("--until is before --from", 2)
    if metadata not in OAI_FORMATS:
        fail(f"--format must be one of {', '.join(OAI_FORMATS)}", 2)
    run_source(f"OAI-PMH {first}..{last}", as_json, None,
               lambda s, p: s.ingest_oai(first, last, metadata, set_spec, chunk_days, restart, p))


@ingest_app.command("hf")
def ingest_hf(
    day: list[str] = typer.Option(None, "--date", "-d", help="A date (YYYY-MM-DD), repeatable."),
    days: int = typer.Option(0, "--days", min=0, max=60, help="The last N days instead (default: PAPERBOT_HF_DAYS)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Hugging Face Daily Papers, with upvotes, merged with the same papers from arXiv."""
    dates = [parse_day(d, "--date") for d in day or []]
    if days:
        today = date.today()
        dates += [today - timedelta(days=n) for n in range(days)]
    run_source("Hugging Face Daily Papers", as_json, None, lambda s, p: s.ingest_hf(sorted(set(dates)) or None, p))
