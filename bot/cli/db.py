"""`paperbot db ...`: database maintenance."""

from __future__ import annotations

import typer

from bot.cli._app import app
from bot.cli._common import err, fail, load_settings
from recommender.storage.db import Database, DatabaseError

db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def upgrade() -> None:
    """Create the database or migrate it to the newest schema (also done on every start)."""
    settings = load_settings()
    try:
        db = Database(settings.db_url)
        before = db.current_revision()
        after = db.upgrade()
    except DatabaseError as exc:
        fail(str(exc))
    where = db.safe_url
    if before == after:
        err.print(f"Database {where} is up to date (revision {after}).")
    else:
        err.print(f"Database {where} migrated from {before or 'empty'} to revision {after}.")
