"""kill -9 at each point of a digest, then a restart: exactly one complete digest.

Each test starts a bot process (seconds of imports and index loading), so they run when
PAPERBOT_TEST_FAULTS=1 or in a PostgreSQL run (PAPERBOT_TEST_DATABASE_URL set), not in the default suite.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.exts.digest._delivery import deliver
from recommender.service import PaperService
from recommender.storage.models import Digest
from recommender.views import Target
from tests.support.crashing_bot import FilePublisher

GUILD, CHANNEL = 10, 20
DAY = date(2026, 7, 1)
ROOT = Path(__file__).resolve().parents[4]


pytestmark = pytest.mark.skipif(
    not (os.environ.get("PAPERBOT_TEST_FAULTS") or os.environ.get("PAPERBOT_TEST_DATABASE_URL")),
    reason="process fault tests: set PAPERBOT_TEST_FAULTS=1 (or run on PostgreSQL)",
)


@pytest.mark.parametrize("crash_at", ["after_claim", "mid_digest", "before_record"])
async def test_exactly_once_after_kill_9_and_restart(service: PaperService, tmp_path: Path, crash_at: str) -> None:
    service.settings.min_score = 0.0  # more matching papers than the digest's 25 (the bot below: the same)
    service.subscribe(Target.user(1, GUILD), "graph neural networks")
    service.configure_digest(GUILD, channel_id=CHANNEL, size=25)
    planned = service.compose_channel_digest(GUILD, day=DAY)
    assert len(planned.picks) == 25
    posts = tmp_path / "posts.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERBOT_")} | {"PAPERBOT_MIN_SCORE": "0"}
    proc = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "tests.support.crashing_bot", str(service.settings.data_dir), service.settings.db_url,
         str(GUILD), DAY.isoformat(), str(posts), crash_at],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 9, proc.stderr[-2000:]
    before = [json.loads(line) for line in posts.read_text().splitlines()] if posts.exists() else []
    assert len(before) == {"after_claim": 0, "mid_digest": 2, "before_record": 4}[crash_at]

    # The restarted bot: the dead worker's lease has run out (as if its 10 minutes passed).
    with service.db.session() as s:
        s.execute(update(Digest).values(lease_until=datetime(2000, 1, 1)))
    outcome = await deliver(service, FilePublisher(posts), service.compose_channel_digest(GUILD, day=DAY), "Lab")
    assert outcome.status == "sent"
    assert (await deliver(service, FilePublisher(posts), service.compose_channel_digest(GUILD, day=DAY))).status == "already"
    messages = [json.loads(line) for line in posts.read_text().splitlines()]
    papers = [p for m in messages for p in m["papers"]]
    assert len(papers) == 25 and len(set(papers)) == 25  # one complete digest, nothing twice
    assert len(messages) == 4  # the header and three lists
