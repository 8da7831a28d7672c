"""The heartbeat a connected bot writes, and `paperbot health` (the Docker healthcheck) reading it."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bot import heartbeat
from bot.bot import PaperBot
from bot.cli import _register, app
from bot.exts import EXTENSIONS
from recommender.service import PaperService

_register()


def health(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.chdir(data_dir.parent)
    for key in [k for k in os.environ if k.startswith("PAPERBOT_")]:
        monkeypatch.delenv(key)
    result = CliRunner().invoke(app, ["health"], env={"PAPERBOT_DATA_DIR": str(data_dir), "COLUMNS": "200"})
    return result.exit_code, result.output


async def test_a_connected_bot_beats(discord_harness: Any, service: PaperService) -> None:
    data_dir = service.settings.data_dir
    assert heartbeat.age(data_dir) is None
    bot = PaperBot(service, service.settings, extensions=EXTENSIONS, guild_ready_timeout=0.1)
    await discord_harness.start(bot)
    seconds = heartbeat.age(data_dir)
    assert seconds is not None and seconds < 5
    assert bot.scheduler.get_job("heartbeat") is not None
    await bot.close()
    heartbeat.path(data_dir).unlink()
    bot.beat()  # a closed bot does not claim to be up
    assert heartbeat.age(data_dir) is None


def test_health_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = tmp_path / "data"
    code, output = health(data_dir, monkeypatch)
    assert code == 1 and "No heartbeat" in output
    heartbeat.beat(data_dir)
    code, output = health(data_dir, monkeypatch)
    assert code == 0 and "The bot is up" in output
    heartbeat.path(data_dir).write_text(f"{time.time() - 600:.0f}\n")
    code, output = health(data_dir, monkeypatch)
    assert code == 1 and re.search(r"last heartbeat was 60\d s ago", output), output  # a second may pass under load
