"""The demo corpus: seeded in full into an empty library, and only there."""

from __future__ import annotations

import gzip
import json

from recommender.ingest.seed import demo_corpus_path, seed_demo
from recommender.service import PaperService


def demo_records() -> list[dict]:
    with gzip.open(demo_corpus_path(), "rt", encoding="utf-8") as stream:
        return [json.loads(line) for line in stream if line.strip()]


def test_the_demo_corpus_is_seeded_in_full(service: PaperService) -> None:
    records = demo_records()
    stats = service.stats()
    assert stats["papers"] == len({r["id"] for r in records}) == len(records) >= 2500
    assert stats["newest_paper"] == max(r["published"] for r in records)
    assert stats["oldest_paper"] == min(r["published"] for r in records)
    assert stats["index_papers"] == stats["papers"]
    assert stats["database"] == service.db.backend
    (run,) = stats["ingest_runs"]
    assert (run["source"], run["status"], run["new"], run["skipped"]) == ("demo", "ok", len(records), 0)
    # Seeding only ever fills an empty database.
    assert seed_demo(service.db) is None
    assert service.stats()["papers"] == len(records)
