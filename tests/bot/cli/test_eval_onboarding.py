"""`paperbot eval onboarding` on tiny synthetic CiteULike data in the published formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import _register, app
from recommender.evaluation import onboarding
from tests.support.synthetic import write_topic_benchmarks

_register()
runner = CliRunner()


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_topic_benchmarks(tmp_path_factory.mktemp("onboarding") / "data")


def test_eval_onboarding_runs_four_settings_json(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(onboarding, "MIN_ITEMS", 8)  # the synthetic members have 11 items each
    monkeypatch.setattr(onboarding, "MIN_COVERED", 3)
    result = runner.invoke(app, ["eval", "onboarding", "--data", str(data), "--members", "3", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["members"] == 3 and out["settings"]["half"] == "all" and out["total_seconds"] >= out["seconds"]
    assert {(r["hits"], r["ratings"]) for r in out["runs"]} == {
        (h, r) for h in ("whole library", "library within the topic") for r in ("likes and dismissals", "likes only")}
    assert all(set(r["figures"]) == {"spread", "top five", "random", "topic only"} for r in out["runs"])


def test_eval_onboarding_on_citeulike_t_one_half_as_tables(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(onboarding, "MIN_ITEMS", 5)
    monkeypatch.setattr(onboarding, "MIN_COVERED", 1)
    result = runner.invoke(app, ["eval", "onboarding", "citeulike-t", "--data", str(data), "--members", "2", "--half", "test"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "2 citeulike-t members (test half)" in text and "ratings: likes only" in text


def test_eval_onboarding_explains_what_it_cannot_do(data: Path) -> None:
    for args, words in (
        (["--members", "6"], "no member with 20 items"),
        (["--half", "train"], "--half takes all, validation, test"),
        (["topics"], "usage: paperbot eval onboarding"),
    ):
        result = runner.invoke(app, ["eval", "onboarding", *args, "--data", str(data)])
        assert result.exit_code != 0 and words in " ".join(result.output.split())  # rich wraps long lines
