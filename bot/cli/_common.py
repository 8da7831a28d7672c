"""Shared CLI plumbing: settings, the service, clear failures."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from bot.logs import setup_logging
from recommender.config import Settings

if TYPE_CHECKING:  # the service pulls in scikit-learn; import it only when a command needs it
    from recommender.service import PaperService

err = Console(stderr=True, highlight=False)
out = Console(highlight=False)
if not out.is_terminal and "COLUMNS" not in os.environ:
    out.width = 160  # redirected output (files, CI logs) keeps whole tables, not 80-column stubs


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def load_settings(quiet: bool = True) -> Settings:
    """Read the settings; CLI commands log warnings only unless PAPERBOT_LOG_LEVEL=DEBUG."""
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"PAPERBOT_{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in exc.errors()
        )
        fail(f"bad configuration: {problems}", 2)
    token = settings.discord_token.get_secret_value() if settings.discord_token else ""
    level = settings.log_level
    if quiet and level in ("INFO",):
        level = "WARNING"
    setup_logging(level, [token])
    return settings


def open_service(settings: Settings | None = None, seed: bool | None = None) -> PaperService:
    from recommender.ranking.semantic import SemanticUnavailable
    from recommender.service import PaperService
    from recommender.storage.db import DatabaseError

    settings = settings or load_settings()
    try:
        service = PaperService(settings)
        report = service.start(seed=seed)
    except (DatabaseError, SemanticUnavailable) as exc:
        fail(escape(str(exc)))
    if report is not None:
        err.print(f"[dim]First start: loaded {report.new:,} real arXiv papers from the bundled demo corpus.[/]")
    return service


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


@contextmanager
def progress_bar(label: str, total: int | None, quiet: bool) -> Iterator[Callable[[int], None]]:
    """A rich progress bar (or a spinner with a count when the total is unknown)."""
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=quiet) as progress:
        task = progress.add_task(label, total=total)
        yield lambda n: progress.advance(task, n)
