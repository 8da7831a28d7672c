"""`paperbot recommend`, `paperbot digest` and `paperbot stats`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from bot.cli._app import app
from bot.cli._common import err, fail, open_service, out, print_json
from bot.formatting import why_plain
from recommender.errors import PaperbotError
from recommender.views import Recommendation

if TYPE_CHECKING:
    from recommender.service import PaperService


def picks_table(title: str, picks: list[Recommendation]) -> Table:
    table = Table(title=title, title_justify="left", show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("paper")
    table.add_column("match", justify="right")
    table.add_column("why")
    for number, rec in enumerate(picks, start=1):
        table.add_row(str(number), f"[bold]{rec.paper.title}[/]\n{rec.paper.id} · {rec.paper.url}",
                      f"{rec.match}", why_plain(rec))
    return table


@app.command()
def recommend(
    user: int = typer.Option(..., "--user", help="Discord user id."),
    topic: str | None = typer.Option(None, "--topic", help="Only this topic this time."),
    limit: int = typer.Option(5, "--limit", min=1, max=50, help="How many papers."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """A member's best new papers, with why each was picked."""
    service = open_service()
    try:
        result = service.recommend(user, topic, limit)
    except PaperbotError as exc:
        fail(str(exc))
    if as_json:
        print_json({"user": user, "topic": topic, "note": result.note, "candidates": result.candidates,
                    "recommendations": [r.as_dict() for r in result.picks]})
        return
    if result.note:
        err.print(result.note)
    if result.picks:
        title = f"Top {len(result.picks)} for user {user} of {result.candidates:,} papers from the last {result.window_days} days"
        out.print(picks_table(title, result.picks))


@app.command()
def digest(
    channel: int = typer.Option(..., "--channel", help="Discord channel id of the digest."),
    guild: int | None = typer.Option(None, "--guild", help="Server id (default: the server whose digest channel this is)."),
    day: str | None = typer.Option(None, "--day", help="Date of the digest, YYYY-MM-DD (default today)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the digest without posting or recording it."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Compose a channel's digest. With --dry-run it is printed, not posted or recorded."""
    if not dry_run:
        fail("posting needs the running bot (`paperbot run`, then /digest now); use --dry-run to print the digest", 2)
    try:
        when = date.fromisoformat(day) if day else None
    except ValueError:
        fail(f"--day {day!r} is not a date in YYYY-MM-DD form", 2)
    service = open_service()
    try:
        draft = service.compose_digest_for_channel(channel, guild, when)
    except PaperbotError as exc:
        fail(str(exc))
    if as_json:
        print_json(draft.as_dict())
        return
    if draft.note:
        err.print(draft.note)
    if draft.picks:
        out.print(picks_table(f"Digest for channel {channel} on {draft.day}", draft.picks))


@app.command()
def stats(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    chart: Path | None = typer.Option(None, "--chart", help="Also write the activity chart (PNG) to this file: "
                                      "what members liked and saved, week by week, by topic.", dir_okay=False),
    weeks: int = typer.Option(8, "--weeks", help="The chart's weeks, the current one included (1-26)."),
    guild: int | None = typer.Option(None, "--guild", help="The chart of one server's members (default: every member)."),
) -> None:
    """Counts of papers, members, topics, digests, and the last ingestion runs; --chart FILE writes the activity chart."""
    service = open_service()
    if chart is not None:
        write_chart(service, chart, weeks, guild)
    data = service.stats()
    if as_json:
        print_json(data)
        return
    table = Table(title="paperbot", title_justify="left", show_header=False)
    for key in ("papers", "users", "subscriptions", "servers", "feedback", "digests_sent", "newest_paper", "database"):
        table.add_row(key, str(data[key]))
    out.print(table)
    if data["ingest_runs"]:
        runs = Table(title="last ingestion runs", title_justify="left")
        for column in ("id", "source", "started_at", "status", "new", "updated", "unchanged", "skipped", "failed", "empty_reason"):
            runs.add_column(column)
        for r in data["ingest_runs"]:
            runs.add_row(*(str(r[c]) if r[c] is not None else "" for c in
                           ("id", "source", "started_at", "status", "new", "updated", "unchanged", "skipped", "failed", "empty_reason")))
        out.print(runs)


def write_chart(service: PaperService, path: Path, weeks: int, guild: int | None) -> None:
    """Write the activity chart, or fail clearly (no empty chart) while nobody liked or saved anything."""
    from bot.ui.charts import kept_text, render_activity  # matplotlib: only when a chart is asked for

    try:
        data = service.activity(guild, weeks)
    except PaperbotError as exc:
        fail(f"--weeks: {exc}", 2)
    who = f"server {guild}'s members" if guild is not None else "the members"
    if not data.total:
        fail(f"no chart written: {who} liked or saved nothing in the last {weeks} week{'s' if weeks != 1 else ''} yet")
    png = render_activity(data, f"server {guild}" if guild is not None else "the members")
    try:
        path.write_bytes(png)
    except OSError as exc:
        fail(f"cannot write the chart to {path}: {exc.strerror or exc}", 2)
    err.print(f"chart saved to {path} ({len(png):,} bytes): {kept_text(data)} in {weeks} weeks")
