"""`paperbot stats --chart FILE`: the activity chart written as a PNG, or a clear refusal, never an empty chart."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select
from typer.testing import CliRunner, Result

from bot.cli import _register, app

from recommender.members import feedback, membership
from recommender.storage.db import Database
from recommender.storage.models import Paper
from tests.bot.cli.test_cli import seeded_dir  # noqa: F401  (a fixture: a copy of the seeded database and index)

GUILD = 31


def keep_some(data_dir: Path) -> None:
    """Three members of GUILD like or save papers of the seeded database (today)."""
    db = Database(f"sqlite:///{data_dir / 'paperbot.db'}")
    try:
        with db.session() as s:
            ids = list(s.scalars(select(Paper.id).order_by(Paper.id).limit(3)))
            for user, pid, kind in ((1, ids[0], "like"), (2, ids[0], "save"), (3, ids[1], "like"), (3, ids[2], "save")):
                membership.record(s, GUILD, user)
                feedback.record(s, user, pid, kind)
    finally:
        db.dispose()


def stats(*args: str) -> Result:
    _register()
    return CliRunner().invoke(app, ["stats", *args])


def test_stats_chart_writes_a_png_or_says_why_not(seeded_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERBOT_DATA_DIR", str(seeded_dir))
    keep_some(seeded_dir)
    chart = stats("--chart", str(seeded_dir / "activity.png"), "--weeks", "4", "--guild", str(GUILD))
    assert chart.exit_code == 0, chart.output
    text = " ".join(chart.output.split())
    assert f"chart saved to {seeded_dir / 'activity.png'}" in text
    assert "2 likes and 2 saves by 3 members in 4 weeks" in text
    assert "subscriptions" in text  # the usual figures too
    image = Image.open(io.BytesIO((seeded_dir / "activity.png").read_bytes()))
    assert image.format == "PNG" and image.size == (800, 400)
    image.load()

    nobody = stats("--chart", str(seeded_dir / "none.png"), "--guild", "999")
    assert nobody.exit_code == 1 and not (seeded_dir / "none.png").exists()
    assert ("no chart written: server 999's members liked or saved nothing in the last 8 weeks yet"
            in " ".join(nobody.output.split()))
    bad_weeks = stats("--chart", str(seeded_dir / "x.png"), "--weeks", "0")
    assert bad_weeks.exit_code == 2 and "--weeks: weeks must be between 1 and 26" in bad_weeks.output
    assert not (seeded_dir / "x.png").exists()
    bad_path = stats("--chart", str(seeded_dir / "missing" / "x.png"))
    assert bad_path.exit_code == 2 and "cannot write the chart to" in bad_path.output
