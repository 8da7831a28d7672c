"""A library of N papers for `paperbot bench recommend` and `bench memory`: a database and
an index on disk as the bot keeps them, made from the real arXiv sample (resampled
past its size, evaluation/synthetic.py), with synthetic members' topics and feedback.

Papers go into the database with one bulk insert per batch; the index is fitted on the
real records and each resampled copy takes its original's vector (a fit on a million
texts with each text repeated would take many minutes and learn nothing more), then
saved through the index store with the database's fingerprint, so a started service
loads it as its own.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
from sqlalchemy import insert

from recommender.evaluation import synthetic
from recommender.ingest.identity import title_key
from recommender.ranking import index as paper_index
from recommender.ranking.index import PaperIndex
from recommender.ranking.text import paper_text
from recommender.storage.db import Database
from recommender.storage.models import Feedback, Paper, Subscription, User, utcnow
from recommender.stores.index import IndexStore, db_fingerprint

BATCH = 20_000


def store_papers(db: Database, records: list[dict], size: int) -> int:
    """Insert `size` (resampled) records; returns how many."""
    now = utcnow()
    rows = []
    count = 0
    for rec in synthetic.resample(records, size):
        published = date.fromisoformat(rec["published"]) if rec.get("published") else None
        cats = list(rec.get("categories") or [])
        rows.append({
            "id": rec["id"], "version": None, "title": rec["title"], "title_key": title_key(rec["title"])[:300],
            "abstract": rec.get("abstract", ""), "authors": list(rec.get("authors") or [])[:20], "categories": cats,
            "primary_category": cats[0] if cats else None, "published": published, "updated": None, "doi": None,
            "source": "bench", "links": {}, "ingested_at": now, "modified_at": now,
        })
        if len(rows) >= BATCH:
            count += _flush(db, rows)
    return count + _flush(db, rows)


def _flush(db: Database, rows: list[dict]) -> int:
    n = len(rows)
    if rows:
        with db.session() as s:
            s.execute(insert(Paper), rows)
        rows.clear()
    return n


def build_index(db: Database, directory: Path, records: list[dict], size: int) -> PaperIndex:
    """Fit on the real records, take each copy's vector from its original, save it as the bot's index."""
    texts = [paper_text(r["title"], r.get("abstract", "")) for r in records]
    fitted = paper_index.fit([r["id"] for r in records], texts, [None] * len(records), (0, ""))
    big = synthetic.resampled_index(records, size, (fitted.vectorizer, fitted.matrix))
    index = PaperIndex(big.vectorizer, big.matrix, big.ids, big.published, db_fingerprint(db).as_tuple(), size,
                       fitted.fit_id, acronyms=fitted.acronyms)
    IndexStore(db, directory).save(index)
    return index


def store_members(db: Database, index: PaperIndex, community: synthetic.Community, first_id: int = 1) -> list[int]:
    """The synthetic members as users with topics, likes and dismissals (ids from `first_id`)."""
    now = utcnow()
    ids = list(range(first_id, first_id + len(community.inputs)))
    with db.session() as s:
        s.execute(insert(User), [{"id": uid, "created_at": now, "last_active": now, "dm_digest": True,
                                  "dm_time": "08:00", "timezone": "UTC"} for uid in ids])
    subs, feedback = [], []
    for uid, inp in zip(ids, community.inputs):
        subs += [{"target_kind": "user", "target_id": uid, "guild_id": None, "topic": t, "topic_key": t.lower(),
                  "created_at": now} for t in inp.topics]
        feedback += [{"user_id": uid, "paper_id": p, "kind": "like", "created_at": now} for p in inp.liked]
        feedback += [{"user_id": uid, "paper_id": p, "kind": "dismiss", "created_at": now}
                     for p in dict.fromkeys(inp.dismissed) if p not in inp.liked]
    for table, rows in ((Subscription, subs), (Feedback, feedback)):
        for a in range(0, len(rows), BATCH):
            with db.session() as s:
                s.execute(insert(table), rows[a : a + BATCH])
    return ids


def make_library(
    db: Database, directory: Path, records: list[dict], size: int, members: int, seed: int = 0,
) -> tuple[PaperIndex, synthetic.Community, list[int]]:
    """A database and an index of `size` papers, with `members` synthetic members."""
    db.upgrade()
    store_papers(db, records, size)
    index = build_index(db, directory, records, size)
    order = np.argsort(index.published, kind="stable")
    new = min(2000, size // 10)  # a day of new papers
    candidates, pool = order[-new:], order[:-new]
    community = synthetic.members(index, pool, candidates, members, seed=seed)
    ids = store_members(db, index, community)
    # Topics and likes changed nothing the index depends on: its fingerprint is the papers'.
    return index, community, ids


def reopen_library(db: Database, directory: Path, members: int, seed: int = 0) -> tuple[PaperIndex, synthetic.Community, list[int]]:
    """A library made earlier: its index, and the same synthetic members (drawn again with the same seed)."""
    index = IndexStore(db, directory).get()
    assert index is not None
    order = np.argsort(index.published, kind="stable")
    new = min(2000, len(index) // 10)
    community = synthetic.members(index, order[:-new], order[-new:], members, seed=seed)
    return index, community, list(range(1, members + 1))
