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
    runs = json.loads(result.stdout)["runs"]
    assert {(r["settings"]["within_topic"], r["settings"]["dismiss"]) for r in runs} == {
        (True, True), (True, False), (False, True), (False, False)}
    assert all(r["members"] == 3 and set(r["figures"]) == {"spread", "top five", "random", "topic only"} for r in runs)


def test_eval_onboarding_explains_what_it_cannot_do(data: Path) -> None:
    result = runner.invoke(app, ["eval", "onboarding", "--data", str(data), "--members", "6"])
    said = " ".join(result.output.split())  # rich wraps long lines (where depends on the tmp path's length)
    assert result.exit_code != 0 and "no member with 20 items" in said
    result = runner.invoke(app, ["eval", "onboarding", "citeulike-t", "--data", str(data)])
    assert result.exit_code != 0 and "usage: paperbot eval onboarding" in " ".join(result.output.split())
