"""The layering (pyproject.toml `[tool.importlinter]`, drawn in docs/architecture.md) holds,
and the contracts bite: a copy of the code with one forbidden import breaks them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytest.importorskip("importlinter", reason="import-linter is in the dev extra: pip install -e '.[dev]'")


def lint(where: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on the packages found in `where` (a fresh interpreter, no cache)."""
    code = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=where, capture_output=True, text=True, timeout=300,
        env={"PYTHONPATH": str(where), "PATH": "/usr/bin:/bin"},
    )


def test_the_contracts_hold() -> None:
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("recommender/ranking/scale.py", "import sqlalchemy", "the ranking maths"),
        ("recommender/members/topics.py", "import discord", "never imports the bot or discord"),
        ("recommender/storage/stats.py", "import recommender.picks.digests", "recommender's layers"),
        ("bot/exts/meta/_actions.py", "import bot.exts.digest._delivery", "features never import each other"),
        ("bot/formatting.py", "import bot.exts.library._actions", "core never imports a feature"),
        ("recommender/ranking/index.py", "import recommender.ranking.ranker", "no import cycles"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(tmp_path: Path, module: str, line: str, contract: str) -> None:
    for package in ("recommender", "bot"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "data"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text() + f"\n{line}  # noqa\n")
    result = lint(tmp_path)
    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, result.stdout
