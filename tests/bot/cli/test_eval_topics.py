"""`paperbot eval topics` on tiny synthetic CiteULike data in the published formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import _register, app
from tests.support.synthetic import (
    write_topic_benchmarks,
)

_register()
runner = CliRunner()


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_topic_benchmarks(tmp_path_factory.mktemp("topics") / "data")


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The community fit's cache in a fresh folder, not the user's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "paperbot" / "eval"


def test_eval_topics_json(data: Path) -> None:
    for dataset in ("citeulike-a", "citeulike-t"):
        result = runner.invoke(app, ["eval", "topics", dataset, "--data", str(data), "--json"])
        assert result.exit_code == 0, result.output
        figures = json.loads(result.stdout)
        assert figures["benchmark"] == dataset and figures["topics"] == 3
        keys = {"ndcg@10", "p@10", "recall@100"}
        assert keys <= set(figures) and set(figures["baseline"]) == keys
        assert figures["seconds"] > 0
        assert set(figures["without_community"]) == keys and figures["settings"]["community_members"] > 0
        halves = figures["halves"]
        assert set(halves) == {"validation", "test"} and sum(h["topics"] for h in halves.values()) == 3


def test_eval_topics_on_one_half_of_the_tags(data: Path) -> None:
    result = runner.invoke(app, ["eval", "topics", "citeulike-a", "--data", str(data), "--tags", "validation"])
    assert result.exit_code == 0, result.output
    assert "the validation half" in result.output and "without the community parts" in result.output
    bad = runner.invoke(app, ["eval", "topics", "citeulike-a", "--data", str(data), "--tags", "half"])
    assert bad.exit_code != 0 and "all, validation, test" in bad.output


def test_eval_topics_needs_a_dataset(data: Path) -> None:
    result = runner.invoke(app, ["eval", "topics", "--data", str(data)])
    assert result.exit_code != 0 and "citeulike-a|citeulike-t" in result.output


def test_eval_topics_limits_the_tags_and_reuses_the_community_fit(data: Path, cache: Path) -> None:
    args = ["eval", "topics", "citeulike-t", "--data", str(data), "--limit", "2", "--json"]
    first, second = (json.loads(runner.invoke(app, args).stdout) for _ in range(2))
    assert first["topics"] == 2 and first["settings"]["limit"] == 2
    assert not first["settings"]["fit_cached"] and second["settings"]["fit_cached"]
    assert len(list(cache.glob("fit-citeulike-t-*.npz"))) == 1
    for key in ("ndcg@10", "p@10", "recall@100", "baseline"):
        assert first[key] == second[key]
