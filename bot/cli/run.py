"""`paperbot run` and `paperbot console`."""

from __future__ import annotations

import typer

from bot.cli._app import app
from bot.cli._common import err, load_settings, open_service
from bot.logs import setup_logging


@app.command()
def run() -> None:
    """Run the Discord bot; without DISCORD_TOKEN, run the same commands in a local console."""
    settings = load_settings()
    if settings.discord_token is None or not settings.discord_token.get_secret_value().strip():
        err.print("[yellow]No DISCORD_TOKEN is set, so paperbot starts in the local console.[/]\n"
                  "[dim]Set DISCORD_TOKEN (environment or .env) to connect to Discord.[/]")
        service = open_service(settings)
        from bot.console import run_console

        raise typer.Exit(run_console(service))
    setup_logging(settings.log_level, [settings.discord_token.get_secret_value()])
    service = open_service(settings)
    from bot.runner import run_bot

    run_bot(service, settings)


@app.command()
def console(user: int = typer.Option(1, help="The Discord user id the console acts as.")) -> None:
    """Type the bot's slash commands (e.g. /subscribe topic: diffusion models) and see its replies."""
    service = open_service()
    from bot.console import run_console

    raise typer.Exit(run_console(service, user_id=user))
