"""`paperbot doctor` without Discord: the configuration, the token's form, the database's state.

(Its Discord checks, the channels' permissions, run against the emulator in tests/e2e/test_doctor.py.)
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from alembic import command
from typer.testing import CliRunner

from bot.cli import _register, app
from bot.cli.doctor import channel_permissions, token_problem
from recommender.storage.db import Database, alembic_config

_register()
BOT_ID = "1234567890123456789"
TOKEN = base64.urlsafe_b64encode(BOT_ID.encode()).decode().rstrip("=") + ".GhIjKl." + "x" * 38


@pytest.fixture
def doctor(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Run `paperbot doctor` in a clean environment (no .env, no PAPERBOT_*); (exit code, output)."""
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith("PAPERBOT_") or key == "DISCORD_TOKEN":
            monkeypatch.delenv(key)

    def run(**env: str) -> tuple[int, str]:
        result = CliRunner().invoke(app, ["doctor"], env={"COLUMNS": "300", "PAPERBOT_DATA_DIR": str(tmp_path / "data"),
                                                          **env})
        return result.exit_code, result.output

    return run


def test_token_form() -> None:
    assert token_problem(TOKEN) is None
    assert "three parts" in (token_problem("abc.def") or "")
    assert "three parts" in (token_problem("0123456789abcdef0123456789abcdef") or "")  # a client secret
    assert "'Bot ' prefix" in (token_problem(f"Bot {TOKEN}") or "")
    assert "quotes" in (token_problem(f'"{TOKEN}"') or "")
    not_an_id = base64.urlsafe_b64encode(b"hello world, hi!!").decode().rstrip("=") + ".GhIjKl." + "x" * 38
    assert "not a bot's id" in (token_problem(not_an_id) or "")


def test_channel_permissions_follow_roles_and_overwrites() -> None:
    guild = {"id": "1", "owner_id": "9", "roles": [
        {"id": "1", "permissions": str(1 << 10 | 1 << 11 | 1 << 14)},  # @everyone: view, send, embed
        {"id": "2", "permissions": "0"}, {"id": "3", "permissions": str(1 << 3)},  # 3: administrator
    ]}
    bot = {"user": {"id": "5"}, "roles": ["2"]}
    plain = {"permission_overwrites": []}
    deny_everyone = {"permission_overwrites": [{"id": "1", "type": 0, "allow": "0", "deny": str(1 << 11)}]}
    allow_role = {"permission_overwrites": [*deny_everyone["permission_overwrites"],
                                            {"id": "2", "type": 0, "allow": str(1 << 11), "deny": "0"}]}
    deny_member = {"permission_overwrites": [*allow_role["permission_overwrites"],
                                             {"id": "5", "type": 1, "allow": "0", "deny": str(1 << 14)}]}
    assert channel_permissions(guild, bot, plain) & (1 << 11)
    assert not channel_permissions(guild, bot, deny_everyone) & (1 << 11)
    assert channel_permissions(guild, bot, allow_role) & (1 << 11)
    assert not channel_permissions(guild, bot, deny_member) & (1 << 14)
    assert channel_permissions(guild, {"user": {"id": "5"}, "roles": ["3"]}, deny_member) & (1 << 14)  # admin
    assert channel_permissions(guild, {"user": {"id": "9"}, "roles": []}, deny_member) & (1 << 11)  # owner


def test_doctor_without_token_or_database(doctor) -> None:  # type: ignore[no-untyped-def]
    code, output = doctor()
    assert code == 1
    assert "No DISCORD_TOKEN" in output and "There is no database at" in output and "paperbot db upgrade" in output


def test_doctor_says_which_setting_is_wrong(doctor) -> None:  # type: ignore[no-untyped-def]
    code, output = doctor(PAPERBOT_DIGEST_TIMEZONE="Mars/Olympus", PAPERBOT_DIGEST_SIZE="99")
    assert code == 1 and "2 problems found" in output
    assert "PAPERBOT_DIGEST_TIMEZONE: 'Mars/Olympus' is not an IANA time zone" in output
    assert "PAPERBOT_DIGEST_SIZE: Input should be less than or equal to 25" in output
    code, output = doctor(PAPERBOT_SHARD_COUNT="2")
    assert "several bot processes need PostgreSQL" in output
    code, output = doctor(PAPERBOT_SHARD_COUNT="2", PAPERBOT_SHARD_IDS="5")
    assert code == 1 and "PAPERBOT_SHARD_IDS has shard 5, but PAPERBOT_SHARD_COUNT is 2" in output


def test_doctor_never_prints_the_token(doctor, db_url: str) -> None:  # type: ignore[no-untyped-def]
    Database(db_url).upgrade()
    bad = "not-a-token-" + "s3cr3t" * 5
    code, output = doctor(DISCORD_TOKEN=bad, PAPERBOT_DATABASE_URL=db_url)
    assert code == 1 and "does not look like a bot token" in output and "s3cr3t" not in output
    assert "schema up to date" in output and "No digest failed" in output


def test_doctor_on_an_old_or_unreachable_database(doctor, blank_db_url: str) -> None:  # type: ignore[no-untyped-def]
    database = Database(blank_db_url)
    if database.backend != "sqlite":
        code, output = doctor(PAPERBOT_DATABASE_URL=blank_db_url)
        assert code == 1 and "has no paperbot tables yet" in output
    command.upgrade(alembic_config(database.engine), "0001")
    code, output = doctor(PAPERBOT_DATABASE_URL=blank_db_url)
    assert code == 1 and f"at revision 0001, not {database.head_revision()}" in output
    code, output = doctor(PAPERBOT_DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert code == 1 and "cannot open the database" in output and "database server is running" in output
