"""`paperbot bench digest / recommend / memory` on the bundled demo corpus, at toy sizes."""

from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from bot.cli import _register, app

# Minutes on a loaded machine (each builds an index, fits a community model, starts processes).
pytestmark = [
    pytest.mark.bench,
    pytest.mark.skipif(not os.environ.get("PAPERBOT_BENCH_TESTS"), reason="set PAPERBOT_BENCH_TESTS=1 to run the bench commands"),
]


def run(*args: str) -> dict:
    _register()
    result = CliRunner().invoke(app, ["bench", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_bench_digest_checks_its_picks_against_the_per_member_loop() -> None:
    figures = run("digest", "--users", "40", "--papers", "60")
    assert figures["users"] == 40 and figures["papers"] == 60 and figures["corpus"] == 3000
    assert figures["check_same_picks"] == figures["check_members"] == 40
    assert figures["seconds"] > 0 and figures["speedup_vs_loop"] > 0 and figures["speedup_vs_svm"] > 0
    assert [g["users"] for g in figures["growth"]] == [4, 13, 40, 40, 40]


def test_bench_recommend_and_memory_on_a_resampled_library() -> None:
    figures = run("recommend", "--corpus", "3500", "--members", "20", "--calls", "5")
    assert figures["corpus"] == 3500 and "resampled" in figures["notes"][0]
    for call in ("recommend", "search", "similar"):
        assert 0 < figures[call]["p50_ms"] <= figures[call]["p99_ms"], call
    memory = run("memory", "--corpus", "600", "--users", "20")
    assert memory["members"] == 20 and memory["papers"] == 600 and memory["rss_mb"] > memory["python_mb"] > 0
