"""`paperbot eval` on tiny benchmarks written in the published file formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import _register, app
from bot.cli._common import out
from recommender.ranking.semantic import INSTALL_HINT, semantic_available
from tests.support.semantic import needs_extra
from tests.support.synthetic import (
    taste_groups,
    topical_cold,
    write_citeulike_a,
    write_citeulike_t,
)

pytestmark = pytest.mark.semantic  # also run in CI's venv with the semantic extra (.ci/run)

_register()
runner = CliRunner()


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("shared", numbered=False) / "data"
    write_citeulike_a(topical_cold(), root)
    write_citeulike_t(taste_groups(), root)
    return root


def run_json(*args: str) -> dict[str, object]:
    result = runner.invoke(app, ["eval", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_reports_paperbot_and_the_baselines(data: Path) -> None:
    figures = run_json("citeulike-a", "--data", str(data))
    assert figures["benchmark"] == "citeulike-a" and figures["method"] == "paperbot"
    recall = figures["recall"]
    assert isinstance(recall, dict) and set(recall) == {"20", "50", "100", "300"}
    assert recall["20"] > 0.9  # 40 candidates: every cutoff holds the user's 10 topical items
    assert isinstance(figures["seconds"], float) and figures["seconds"] > 0
    baselines = {b["method"]: b for b in figures["baselines"]}  # type: ignore[union-attr]
    assert set(baselines) == {"random", "tfidf-centroid"}
    assert figures["bar"] == {"metric": "recall@100", "target": 0.55, "reached": True}


def test_bag_of_words_benchmark_with_ablations_and_chosen_weights(data: Path) -> None:
    figures = run_json("citeulike-t", "--data", str(data), "--ablations", "--weights", "colike=1")
    assert figures["weights"] == {"colike": 1.0}
    assert figures["recall"]["300"] == 1.0  # type: ignore[index]  # 160 candidates: all of them
    assert figures["recall"]["20"] > 0.3  # type: ignore[index]
    assert len(figures["ablations"]) >= 3  # type: ignore[arg-type]


def test_table_names_every_method_and_the_bar(data: Path) -> None:
    result = runner.invoke(app, ["eval", "citeulike-a", "--data", str(data)], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    for text in ("paperbot", "random", "tfidf-centroid", "R@100", "bar recall@100", "score ms", "weights:"):
        assert text in result.stdout


def test_a_narrow_terminal_still_shows_every_figure_whole(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    figures = run_json("citeulike-a", "--data", str(data))
    monkeypatch.setattr(out, "width", 80)
    result = runner.invoke(app, ["eval", "citeulike-a", "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout
    for value in figures["recall"].values():  # type: ignore[union-attr]
        assert f"{value:.4f}" in result.stdout


def test_default_data_is_shared_data_next_to_the_working_directory(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = data.parent.parent / "main"
    work.mkdir(exist_ok=True)
    monkeypatch.chdir(work)  # ../shared/data from here is `data`, not the repository's real data
    figures = run_json("citeulike-a")
    assert figures["benchmark"] == "citeulike-a"
    assert figures["users"] == run_json("citeulike-a", "--data", str(data))["users"]


def test_missing_data_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", "citeulike-t", "--data", str(tmp_path)])
    assert result.exit_code == 1
    assert "citeulike-t/ not found" in result.output


def test_unknown_weight_is_refused(data: Path) -> None:
    result = runner.invoke(app, ["eval", "citeulike-a", "--data", str(data), "--weights", "citations=1"])
    assert result.exit_code == 1
    assert "unknown part 'citations'" in result.output


@pytest.mark.skipif(semantic_available(), reason="the semantic extra is installed here: this checks the install without it")
def test_semantic_without_the_extra_says_how_to_install_it(data: Path) -> None:
    result = runner.invoke(app, ["eval", "citeulike-a", "--data", str(data), "--semantic"], env={"COLUMNS": "250"})
    assert result.exit_code == 1
    assert INSTALL_HINT in " ".join(result.output.split())


@needs_extra
def test_semantic_runs_the_hybrid_with_the_real_model(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    figures = run_json("citeulike-a", "--data", str(data), "--semantic", "--ablations")
    assert figures["semantic"] is True
    assert set(figures["weights"]) >= {"semantic_latent", "semantic_subprofiles"}  # type: ignore[arg-type]
    assert figures["bar"]["target"] == 0.65  # type: ignore[index]
    assert figures["recall"]["100"] > 0.9  # type: ignore[index]
    assert any(a["method"] == "semantic parts only" for a in figures["ablations"])  # type: ignore[union-attr]
    assert list((tmp_path / "cache" / "paperbot" / "eval").glob("*.npy"))  # a second run reads the cache
    assert run_json("citeulike-a", "--data", str(data), "--semantic")["recall"] == figures["recall"]


def test_community_json_adds_the_centroid_on_the_same_members(data: Path) -> None:
    figures = run_json("citeulike-a", "--data", str(data), "--community", "5")
    assert figures["community"] == 5
    baseline = figures["baseline"]
    assert isinstance(baseline, dict) and set(baseline["recall"]) == {"20", "50", "100", "300"}
    assert figures["users"] == 5 * figures["draws"]  # type: ignore[operator]


def test_community_rejects_too_few_members(data: Path) -> None:
    result = runner.invoke(app, ["eval", "citeulike-a", "--data", str(data), "--community", "3"])
    assert result.exit_code != 0 and "at least 5" in result.output
