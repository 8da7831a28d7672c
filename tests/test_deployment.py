"""The deployment files: docker-compose.yml (checked against the Compose specification by hand,
see docs/deployment.md), the Dockerfile's healthcheck, and .env.example, against the code they name."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from bot.cli import _register, app
from recommender.config import Settings

ROOT = Path(__file__).resolve().parents[1]
_register()


def test_compose_runs_the_bot_on_postgres_with_healthchecks() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    bot, db = compose["services"]["paperbot"], compose["services"]["db"]
    assert bot["env_file"] == ".env" and "paperbot-data:/data" in bot["volumes"]
    assert bot["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert bot["healthcheck"]["test"] == ["CMD", "paperbot", "health"]
    url = make_url(bot["environment"]["PAPERBOT_DATABASE_URL"].replace("${POSTGRES_PASSWORD:-paperbot}", "pw"))
    assert (url.drivername, url.host, url.database) == ("postgresql+psycopg", "db", db["environment"]["POSTGRES_DB"])
    assert url.username == db["environment"]["POSTGRES_USER"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    assert set(compose["volumes"]) == {"paperbot-data", "postgres-data"}


def test_the_healthchecks_name_real_commands() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["paperbot", "health"]' in dockerfile
    for command in (["health", "--help"], ["doctor", "--help"], ["db", "upgrade", "--help"]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 0, (command, result.output)


def test_env_example_names_only_real_settings() -> None:
    names = re.findall(r"^#?\s*((?:PAPERBOT_|DISCORD_)[A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M)
    known = {f"PAPERBOT_{field.upper()}" for field in Settings.model_fields} | {"DISCORD_TOKEN"}
    assert "DISCORD_TOKEN" in names and set(names) <= known, set(names) - known
