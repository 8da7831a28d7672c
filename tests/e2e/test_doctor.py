"""`paperbot doctor` against the Discord API emulator: the token accepted or rejected, each digest
channel's permissions as Discord computes them, a gone channel or server, the last failures."""

from __future__ import annotations

import asyncio
import os
from datetime import date, datetime
from pathlib import Path

import pytest
from fakediscord import FakeDiscord
from fakediscord.channels import deny_bot, set_overwrite
from typer.testing import CliRunner

from bot import heartbeat
from bot.cli import _register, app
from recommender.config import Settings
from recommender.members import servers
from recommender.storage.db import Database
from recommender.storage.models import Digest

pytestmark = [pytest.mark.e2e, pytest.mark.fakediscord(transport="plain")]
_register()


async def doctor(fd: FakeDiscord, db_url: str, tmp_path: Path, token: str | None = None) -> tuple[int, str]:
    env = {k: None for k in os.environ if k.startswith("PAPERBOT_")} | {
        "DISCORD_TOKEN": token or fd.token, "PAPERBOT_DATABASE_URL": db_url, "COLUMNS": "300",
        "PAPERBOT_DISCORD_API_URL": f"http://127.0.0.1:{fd.port}/api/v10", "PAPERBOT_DATA_DIR": str(tmp_path),
    }
    cwd = os.getcwd()
    os.chdir(tmp_path)  # no .env
    try:
        result = await asyncio.to_thread(CliRunner().invoke, app, ["doctor"], env=env)
    finally:
        os.chdir(cwd)
    return result.exit_code, result.output


async def test_doctor_checks_channels_and_failures(fakediscord: FakeDiscord, db: Database, db_url: str,
                                                   settings: Settings, tmp_path: Path) -> None:
    fd = fakediscord
    fd.world.token = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GhIjKl." + "x" * 38  # a token of the right form
    lab = fd.world.add_guild("Other Lab", fd.owner)
    gone = fd.world.add_channel(lab, "old-papers")
    with db.session() as s:
        servers.configure(s, settings, fd.guild.id, channel_id=fd.channel("papers").id)
    code, output = await doctor(fd, db_url, tmp_path)
    assert code == 0, output
    assert "Discord accepts the token: the bot is paperbot" in output
    assert "The bot can post in #papers in Paper Lab and open the day's thread" in output
    assert "Nothing wrong found" in output
    assert "No bot has run on" in output  # a warning, not a problem
    await deny_bot(fd, fd.channel("papers"), 1 << 35)  # no Create Public Threads: a warning, the papers go in the channel
    code, output = await doctor(fd, db_url, tmp_path)
    assert code == 0 and "lacks Create Public Threads: each day's papers will follow the header" in output
    await set_overwrite(fd, fd.channel("papers"), fd.world.bot)  # given back
    heartbeat.beat(tmp_path)
    code, output = await doctor(fd, db_url, tmp_path)
    assert code == 0 and "A bot is running and connected to Discord" in output

    del fd.world.channels[gone.id]  # deleted in Discord
    lab.channel_ids.remove(gone.id)
    with db.session() as s:
        servers.configure(s, settings, fd.guild.id, channel_id=fd.channel("announcements").id)
        servers.configure(s, settings, lab.id, channel_id=gone.id)
        servers.configure(s, settings, 4242, channel_id=4343)  # a server the bot has left
        s.add(Digest(target_kind="channel", target_id=gone.id, guild_id=lab.id, day=date.today(), status="failed",
                     attempts=2, reason="UNKNOWN_CHANNEL", failed_at=datetime.now(),
                     error=f"<#{gone.id}> no longer exists; set a new one with `/digest channel`"))
    code, output = await doctor(fd, db_url, tmp_path)
    assert code == 1, output
    assert "may not post the digest in #announcements in Paper Lab: it lacks Send Messages" in output
    assert f"The digest channel of Other Lab ({gone.id}) no longer exists" in output
    assert "no longer in server 4242" in output
    assert "failed (UNKNOWN_CHANNEL, 2 tries, not tried again automatically)" in output
    assert "4 problems found" in output
    assert fd.world.token not in output

    code, output = await doctor(fd, db_url, tmp_path, token="MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.AbCdEf." + "y" * 38)
    assert code == 1 and "Discord rejected DISCORD_TOKEN (401 Unauthorized)" in output and "y" * 38 not in output
