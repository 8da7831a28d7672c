"""Every revision upgrades from the one before (keeping data) and downgrades, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from recommender.storage.db import MIGRATIONS, Database, alembic_config


HEAD = ScriptDirectory(str(MIGRATIONS)).get_current_head()  # the newest revision, whichever it is


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
        command.upgrade(cfg, "0002")
        assert database.current_revision() == "0002"
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
        assert database.upgrade() == HEAD  # and back up from nothing
    finally:
        database.dispose()


def test_upgrade_from_0002_adds_the_digest_thread_and_downgrade_keeps_the_ledger(blank_db_url: str) -> None:
    database = Database(blank_db_url)
    cfg = alembic_config(database.engine)
    try:
        command.upgrade(cfg, "0002")
        with database.engine.begin() as conn:  # a 0002 ledger: a sent digest and a failed one
            for digest_id, status in ((1, "sent"), (2, "failed")):
                conn.execute(text(f"INSERT INTO digests (id, target_kind, target_id, guild_id, day, status, created_at,"
                                  f" attempts, reason) VALUES ({digest_id}, 'channel', {digest_id}, 9, '2026-07-01',"
                                  f" '{status}', '2026-07-01 08:00:00', 1, 'MISSING_PERMISSION')"))
        command.upgrade(cfg, "0004")
        assert {"header_id", "thread_id", "notified"} <= columns(database, "digests")
        with database.engine.begin() as conn:
            rows = conn.execute(text("SELECT id, status, header_id, thread_id, notified FROM digests ORDER BY id")).all()
            assert [tuple(r) for r in rows] == [(1, "sent", None, None, None), (2, "failed", None, None, None)]
            conn.execute(text("UPDATE digests SET header_id = 5000000000000000001, thread_id = 5000000000000000001,"
                              " notified = 'MISSING_PERMISSION' WHERE id = 2"))  # snowflakes need 64 bits
            assert conn.execute(text("SELECT thread_id FROM digests WHERE id = 2")).scalar() == 5000000000000000001
        command.downgrade(cfg, "0002")
        assert not {"header_id", "thread_id", "notified"} & columns(database, "digests")
        with database.engine.connect() as conn:
            assert conn.execute(text("SELECT id, status FROM digests ORDER BY id")).all() == [(1, "sent"), (2, "failed")]
        command.downgrade(cfg, "base")
        assert database.upgrade() == HEAD
    finally:
        database.dispose()


def test_0003_indexes_when_papers_last_changed_and_downgrades(blank_db_url: str) -> None:
    database = Database(blank_db_url)
    cfg = alembic_config(database.engine)
    try:
        command.upgrade(cfg, "0002")
        with database.engine.begin() as conn:
            conn.execute(text("INSERT INTO papers (id, title, title_key, abstract, authors, categories, source, links,"
                              " ingested_at, modified_at) VALUES ('2401.00001', 't', 't', '', '[]', '[]', 'file', '{}',"
                              " '2026-07-01 08:00:00', '2026-07-01 08:00:00')"))
        command.upgrade(cfg, "0003")
        indexes = {i["name"] for i in inspect(database.engine).get_indexes("papers")}
        assert "ix_papers_modified_at" in indexes
        with database.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM papers")).scalar() == 1
        command.downgrade(cfg, "0002")
        assert "ix_papers_modified_at" not in {i["name"] for i in inspect(database.engine).get_indexes("papers")}
    finally:
        database.dispose()


def test_0005_adds_sources_and_dm_settings_with_defaults(blank_db_url: str) -> None:
    database = Database(blank_db_url)
    cfg = alembic_config(database.engine)
    try:
        command.upgrade(cfg, "0002")
        with database.engine.begin() as conn:  # a server and a member from before
            conn.execute(text("INSERT INTO guilds (id, name, digest_time, timezone, weekdays, digest_size,"
                              " digest_enabled, created_at, updated_at) VALUES (7, 'lab', '08:00', 'UTC', 'mon-fri',"
                              " 8, true, '2026-07-01 08:00:00', '2026-07-01 08:00:00')"))
            conn.execute(text("INSERT INTO users (id, created_at, last_active, dm_digest, dm_time, timezone)"
                              " VALUES (5, '2026-07-01 08:00:00', '2026-07-01 08:00:00', true, '09:00', 'UTC')"))
        command.upgrade(cfg, "0005")
        assert {"arxiv_categories", "hf_enabled"} <= columns(database, "guilds")
        with database.engine.connect() as conn:
            assert conn.execute(text("SELECT arxiv_categories, hf_enabled FROM guilds")).one() == (None, True)
            assert conn.execute(text("SELECT dm_weekdays, min_match, dm_time FROM users")).one() == ("daily", None, "09:00")
        command.downgrade(cfg, "0002")
        assert "hf_enabled" not in columns(database, "guilds") and "min_match" not in columns(database, "users")
        with database.engine.connect() as conn:  # nothing else lost
            assert conn.execute(text("SELECT dm_time FROM users")).scalar() == "09:00"
    finally:
        database.dispose()


def test_0006_adds_follows_mutes_starts_and_discussions_and_downgrades(blank_db_url: str) -> None:
    database = Database(blank_db_url)
    cfg = alembic_config(database.engine)
    new = {"author_follows", "mutes", "onboardings", "discussions"}
    try:
        command.upgrade(cfg, "0005")
        with database.engine.begin() as conn:  # a member from before
            conn.execute(text("INSERT INTO users (id, created_at, last_active, dm_digest, dm_time, timezone)"
                              " VALUES (5, '2026-07-01 08:00:00', '2026-07-01 08:00:00', true, '09:00', 'UTC')"))
        command.upgrade(cfg, "0006")
        assert new <= set(inspect(database.engine).get_table_names())
        command.downgrade(cfg, "0005")
        assert not new & set(inspect(database.engine).get_table_names())
        with database.engine.connect() as conn:  # nothing else lost
            assert conn.execute(text("SELECT dm_time FROM users")).scalar() == "09:00"
    finally:
        database.dispose()


def test_0007_adds_cadences_and_the_ledger_period_and_downgrades(blank_db_url: str) -> None:
    database = Database(blank_db_url)
    cfg = alembic_config(database.engine)
    try:
        command.upgrade(cfg, "0006")
        with database.engine.begin() as conn:  # a server, a member and a sent digest from before
            conn.execute(text("INSERT INTO guilds (id, name, digest_time, timezone, weekdays, digest_size,"
                              " digest_enabled, created_at, updated_at) VALUES (7, 'lab', '08:00', 'UTC', 'mon-fri',"
                              " 8, true, '2026-07-01 08:00:00', '2026-07-01 08:00:00')"))
            conn.execute(text("INSERT INTO users (id, created_at, last_active, dm_digest, dm_time, timezone)"
                              " VALUES (5, '2026-07-01 08:00:00', '2026-07-01 08:00:00', true, '09:00', 'UTC')"))
            conn.execute(text("INSERT INTO digests (id, target_kind, target_id, guild_id, day, status, created_at,"
                              " attempts) VALUES (1, 'channel', 70, 7, '2026-07-01', 'sent', '2026-07-01 08:00:00', 1)"))
        command.upgrade(cfg, "0007")
        with database.engine.begin() as conn:  # existing servers, members and digests are daily ones
            assert conn.execute(text("SELECT cadence, week_day, weekdays FROM guilds")).one() == ("daily", "mon", "mon-fri")
            assert conn.execute(text("SELECT dm_cadence, dm_week_day, dm_time FROM users")).one() == ("daily", "mon", "09:00")
            row = conn.execute(text("SELECT cadence, period, day FROM digests")).one()
            assert row[0] == "daily" and str(row[1]) == str(row[2]) == "2026-07-01"
            # a weekly digest of that week (Mon 29 Jun) posted on another day: allowed once, not twice
            conn.execute(text("INSERT INTO digests (id, target_kind, target_id, day, cadence, period, status, created_at,"
                              " attempts) VALUES (2, 'channel', 70, '2026-07-03', 'weekly', '2026-06-29', 'sent',"
                              " '2026-07-03 08:00:00', 1)"))
        with pytest.raises(IntegrityError), database.engine.begin() as conn:
            conn.execute(text("INSERT INTO digests (id, target_kind, target_id, day, cadence, period, status, created_at,"
                              " attempts) VALUES (3, 'channel', 70, '2026-07-02', 'weekly', '2026-06-29', 'sent',"
                              " '2026-07-02 08:00:00', 1)"))
        command.downgrade(cfg, "0006")
        assert not {"cadence", "period"} & columns(database, "digests")
        assert "cadence" not in columns(database, "guilds") and "dm_cadence" not in columns(database, "users")
        with database.engine.connect() as conn:  # nothing else lost
            assert conn.execute(text("SELECT id FROM digests ORDER BY id")).scalars().all() == [1, 2]
            assert conn.execute(text("SELECT weekdays FROM guilds")).scalar() == "mon-fri"
        assert database.upgrade() == HEAD
    finally:
        database.dispose()


def test_0008_adds_channel_mutes_and_discussion_counts_and_downgrades(blank_db_url: str) -> None:
    database = Database(blank_db_url)
    cfg = alembic_config(database.engine)
    try:
        command.upgrade(cfg, "0007")
        with database.engine.begin() as conn:  # a thread opened before
            conn.execute(text("INSERT INTO papers (id, title, title_key, abstract, authors, categories, source, links,"
                              " ingested_at, modified_at) VALUES ('2401.00001', 't', 't', '', '[]', '[]', 'file', '{}',"
                              " '2026-07-01 08:00:00', '2026-07-01 08:00:00')"))
            conn.execute(text("INSERT INTO discussions (id, guild_id, paper_id, channel_id, thread_id, opened_by, created_at)"
                              " VALUES (1, 7, '2401.00001', 50, 90, 5, '2026-07-01 08:00:00')"))
        command.upgrade(cfg, "0008")
        assert "channel_mutes" in inspect(database.engine).get_table_names()
        assert {"digest_id", "link_id", "messages", "last_message_at"} <= columns(database, "discussions")
        with database.engine.connect() as conn:
            assert conn.execute(text("SELECT thread_id, messages, digest_id FROM discussions")).one() == (90, 0, None)
        with database.engine.begin() as conn:
            conn.execute(text("INSERT INTO channel_mutes (guild_id, channel_id, kind, value, value_key, created_at)"
                              " VALUES (7, 50, 'keyword', 'GAN', 'gan', '2026-07-01 08:00:00')"))
            conn.execute(text("UPDATE discussions SET messages = 3"))
        command.downgrade(cfg, "0007")
        assert "channel_mutes" not in inspect(database.engine).get_table_names()
        assert "messages" not in columns(database, "discussions")
        with database.engine.connect() as conn:  # the thread itself is kept
            assert conn.execute(text("SELECT thread_id FROM discussions")).scalar() == 90
    finally:
        database.dispose()
