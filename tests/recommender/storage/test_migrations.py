"""Every revision upgrades from the one before (keeping data) and downgrades, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from recommender.storage.db import Database, alembic_config


def columns(database: Database, table: str) -> set[str]:
    return {c["name"] for c in inspect(database.engine).get_columns(table)}


def test_upgrade_from_0001_keeps_digests_and_downgrade_to_base(blank_db_url: str) -> None:
    database = Database(blank_db_url)
    cfg = alembic_config(database.engine)
    try:
        command.upgrade(cfg, "0001")
        with database.engine.begin() as conn:  # a 0001 database: one sent digest, one claimed, with papers
            conn.execute(text("INSERT INTO papers (id, title, title_key, abstract, authors, categories, source, links,"
                              " ingested_at, modified_at) VALUES ('2401.00001', 't', 't', '', '[]', '[]', 'file', '{}',"
                              " '2026-07-01 08:00:00', '2026-07-01 08:00:00')"))
            for digest_id, status, sent in ((1, "sent", "'2026-07-01 08:00:05'"), (2, "claimed", "NULL")):
                conn.execute(text(f"INSERT INTO digests (id, target_kind, target_id, day, status, created_at, sent_at)"
                                  f" VALUES ({digest_id}, 'channel', {digest_id}, '2026-07-01', '{status}',"
                                  f" '2026-07-01 08:00:00', {sent})"))
                conn.execute(text(f"INSERT INTO digest_items (digest_id, paper_id, rank, score)"
                                  f" VALUES ({digest_id}, '2401.00001', 1, 0.5)"))
        assert database.upgrade() == "0003_beyond"
        assert {"lease_owner", "lease_until", "attempts", "reason", "failed_at", "next_retry_at"} <= columns(database, "digests")
        with database.engine.connect() as conn:
            rows = conn.execute(text("SELECT d.status, d.attempts, i.posted_at FROM digests d"
                                     " JOIN digest_items i ON i.digest_id = d.id ORDER BY d.id")).all()
        # What 0001 counted as sent stays counted; nothing is lost.
        assert [(r[0], r[1], r[2] is not None) for r in rows] == [("sent", 1, True), ("claimed", 1, True)]

        with database.engine.begin() as conn:  # a 0002 digest whose papers were never posted
            conn.execute(text("INSERT INTO digests (id, target_kind, target_id, day, status, created_at, attempts)"
                              " VALUES (3, 'channel', 3, '2026-07-02', 'claimed', '2026-07-02 08:00:00', 1)"))
            conn.execute(text("INSERT INTO digest_items (digest_id, paper_id, rank, score) VALUES (3, '2401.00001', 1, 0.5)"))
        command.downgrade(cfg, "0001")
        assert "posted_at" not in columns(database, "digest_items")
        with database.engine.connect() as conn:
            kept = conn.execute(text("SELECT digest_id FROM digest_items ORDER BY digest_id")).scalars().all()
            status = conn.execute(text("SELECT status FROM digests WHERE id = 3")).scalar()
        assert kept == [1, 2] and status == "failed"  # retryable under 0001, its paper free again
        command.downgrade(cfg, "base")
        assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}
        assert database.upgrade() == "0003_beyond"  # and back up from nothing
    finally:
        database.dispose()
