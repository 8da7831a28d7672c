"""What an ingestion left in the database, and small input files, for the ingest tests."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from recommender.storage.db import Database
from recommender.storage.models import IngestRun, Paper


def papers(db: Database) -> dict[str, Paper]:
    """Every stored paper by id."""
    with db.session() as s:
        return {p.id: p for p in s.scalars(select(Paper))}


def write(tmp_path: Path, name: str, text: str) -> Path:
    """A UTF-8 file of that name under tmp_path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def runs(db: Database) -> list[IngestRun]:
    """Every recorded ingestion run, oldest first."""
    with db.session() as s:
        return list(s.scalars(select(IngestRun).order_by(IngestRun.id)))
