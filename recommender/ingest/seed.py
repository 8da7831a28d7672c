"""Seed an empty database with the bundled demo corpus of real arXiv papers."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from sqlalchemy import func, select

from recommender.ingest.jsonl import open_text, read_jsonl
from recommender.ingest.runner import IngestReport, ingest
from recommender.storage.db import Database
from recommender.storage.models import Paper

DEMO_FILE = "arxiv-demo.jsonl.gz"


def demo_corpus_path() -> Path:
    return Path(str(resources.files("recommender.data").joinpath(DEMO_FILE)))


def is_empty(db: Database) -> bool:
    with db.session() as s:
        return not s.scalar(select(func.count()).select_from(Paper))


def seed_demo(db: Database) -> IngestReport | None:
    """Import the demo corpus if there are no papers at all; None if there were some."""
    if not is_empty(db):
        return None
    path = demo_corpus_path()
    with open_text(path) as stream:
        items = ((f"line {n}", item) for n, item in read_jsonl(stream, source="demo"))
        return ingest(db, "demo", items, {"path": DEMO_FILE})
