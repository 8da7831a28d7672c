"""`paperbot health`: is the running bot alive and connected (Docker's healthcheck)?"""

from __future__ import annotations

import typer

from bot import heartbeat
from bot.cli._app import app
from bot.cli._common import err, load_settings, out


@app.command()
def health(max_age: int = typer.Option(heartbeat.STALE, help="Seconds without a heartbeat before the bot counts as down.")) -> None:
    """Exit 0 when the bot running on this data directory beat in the last --max-age seconds, else 1."""
    settings = load_settings()
    seconds = heartbeat.age(settings.data_dir)
    if seconds is None:
        err.print(f"No heartbeat in {settings.data_dir}: the bot has not connected to Discord yet (or runs elsewhere).")
        raise typer.Exit(1)
    if seconds > max_age:
        err.print(f"The bot's last heartbeat was {seconds:.0f} s ago: it is stuck or not connected to Discord.")
        raise typer.Exit(1)
    out.print(f"The bot is up: last heartbeat {seconds:.0f} s ago.")
