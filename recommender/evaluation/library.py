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

import joblib
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
COMMUNITY_FILE = "bench-members.joblib"


def store_papers(db: Database, records: list[dict], size: int) -> int:
    """Insert `size` (resampled) records in one transaction (Core executemany by batch; on
    SQLite without waiting for the disk at each batch); returns how many."""
    now = utcnow()
    table = Paper.__table__
    count = 0
    sqlite = db.backend == "sqlite"
    with db.engine.connect() as conn:
        if sqlite:
            conn.exec_driver_sql("PRAGMA synchronous=OFF")  # a bench library: rebuilt if the machine dies
            conn.exec_driver_sql("PRAGMA cache_size=-262144")  # 256 MB of page cache for the index updates
            conn.commit()
        with conn.begin():
            rows = []
            for rec in synthetic.resample(records, size):
                published = date.fromisoformat(rec["published"]) if rec.get("published") else None
                cats = list(rec.get("categories") or [])
                rows.append({
                    "id": rec["id"], "version": None, "title": rec["title"], "title_key": title_key(rec["title"])[:300],
                    "abstract": rec.get("abstract", ""), "authors": list(rec.get("authors") or [])[:20],
                    "categories": cats, "primary_category": cats[0] if cats else None, "published": published,
                    "updated": None, "doi": None, "source": "bench", "links": {}, "ingested_at": now, "modified_at": now,
                })
                if len(rows) >= BATCH:
                    conn.execute(table.insert(), rows)  # type: ignore[attr-defined]
                    count += len(rows)
                    rows.clear()
            if rows:
                conn.execute(table.insert(), rows)  # type: ignore[attr-defined]
                count += len(rows)
        if sqlite:
            conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
            conn.exec_driver_sql("PRAGMA cache_size=-2000")
            conn.commit()
    return count


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


LIKE_POOL = 100_000  # likes and dismissals are drawn from the newest this many older papers


def _members(index: PaperIndex, members: int, seed: int) -> synthetic.Community:
    order = np.argsort(index.published, kind="stable")
    new = min(2000, len(index) // 10)  # a day of new papers
    candidates, pool = order[-new:], order[:-new]
    return synthetic.members(index, pool[-LIKE_POOL:], candidates, members, seed=seed)


def make_library(
    db: Database, directory: Path, records: list[dict], size: int, members: int, seed: int = 0,
) -> tuple[PaperIndex, synthetic.Community, list[int]]:
    """A database and an index of `size` papers, with `members` synthetic members (kept in
    `directory` too, so `reopen_library` reads them back instead of drawing them again)."""
    db.upgrade()
    store_papers(db, records, size)
    index = build_index(db, directory, records, size)
    community = _members(index, members, seed)
    ids = store_members(db, index, community)
    joblib.dump(community, directory / COMMUNITY_FILE, compress=0)
    # Topics and likes changed nothing the index depends on: its fingerprint is the papers'.
    return index, community, ids


def reopen_library(
    db: Database, directory: Path, records: list[dict], members: int, seed: int = 0,
) -> tuple[PaperIndex, synthetic.Community, list[int]]:
    """A library made earlier: its index, and the same synthetic members. An index file of an
    older format (or none) is built again from the records, without re-inserting the papers."""
    index = IndexStore(db, directory).stored()
    fingerprint = db_fingerprint(db)
    if index is None or index.fingerprint != fingerprint.as_tuple():
        index = build_index(db, directory, records, fingerprint.count)
    path = directory / COMMUNITY_FILE
    community = joblib.load(path) if path.exists() else _members(index, members, seed)
    return index, community, list(range(1, len(community.inputs) + 1))
