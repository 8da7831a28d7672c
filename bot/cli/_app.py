"""The `paperbot` Typer app; each command module registers on it."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="paperbot",
    help="paperbot: a self-hosted Discord bot that recommends new arXiv papers to each member.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
