"""The `paperbot` command line."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="paperbot",
    help="paperbot: a self-hosted Discord bot that recommends new arXiv papers to each member.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    from bot.cli import bench, db, embed, eval, ingest, papers, run  # noqa: F401  (commands register on import)


def main() -> None:
    _register()
    app()
