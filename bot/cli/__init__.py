"""The `paperbot` command line."""

from __future__ import annotations

from bot.cli._app import app

__all__ = ["app", "main"]


def _register() -> None:
    from bot.cli import bench, db, doctor, embed, eval, health, ingest, papers, run  # noqa: F401  (commands register on import)


def main() -> None:
    _register()
    app()
