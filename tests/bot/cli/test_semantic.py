"""The semantic extra from the command line: the default install never imports torch,
`paperbot embed` and `paperbot stats` say how to install it when it is missing, and
`paperbot embed` backfills with the real model when it is there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from recommender.ranking.semantic import (
    INSTALL_HINT,
    MODEL_NAME,
    semantic_available,
)
from tests.support.semantic import ALL, needs_extra, paper, write_jsonl

pytestmark = pytest.mark.semantic  # also run in CI's venv with the semantic extra (.ci/run)

without_extra = pytest.mark.skipif(
    semantic_available(), reason="the semantic extra is installed here: this checks the install without it"
)


def test_the_default_path_never_imports_torch(tmp_path: Path) -> None:
    papers = write_jsonl(tmp_path / "papers.jsonl", [
        paper("2606.10001", "Graph neural networks for molecules", "Message passing predicts molecular properties."),
        paper("2606.10002", "Diffusion models for protein design", "Denoising generates new protein backbones."),
    ])
    # A fresh interpreter: this test process may have imported torch for other tests.
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from recommender.config import Settings\n"
        "from recommender.service import PaperService\n"
        "import bot.cli, recommender.ranking.scores, recommender.ranking.semantic, recommender.stores.semantic\n"
        f"svc = PaperService(Settings(_env_file=None, data_dir={str(tmp_path)!r}))\n"
        "svc.start(seed=False)\n"
        f"svc.ingest_file(Path({str(papers)!r}))\n"
        "svc.feedback(1, '2606.10001', 'like')\n"
        "svc.recommend(1)\n"
        "heavy = sorted(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules)\n"
        "print(heavy)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERBOT_")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300,
                          cwd=Path(__file__).resolve().parents[3])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


@without_extra
def test_the_cli_says_how_to_install_it(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERBOT_")}
    env.update(PAPERBOT_DATA_DIR=str(tmp_path / "data"), PAPERBOT_SEMANTIC="1", COLUMNS="200", NO_COLOR="1")
    runs = {args: subprocess.Popen([sys.executable, "-m", "bot", args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, env=env, cwd=tmp_path) for args in ("embed", "stats")}
    for args, proc in runs.items():
        _, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 1, (args, stderr)
        said = " ".join(stderr.split())  # rich wraps long lines
        assert INSTALL_HINT in said and "Traceback" not in said, stderr


@needs_extra
def test_paperbot_embed_backfills_from_the_command_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERBOT_")}
    env.update(PAPERBOT_DATA_DIR=str(data), COLUMNS="200", NO_COLOR="1")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env,
                              timeout=600, cwd=tmp_path)

    ingested = run("ingest", "file", str(write_jsonl(tmp_path / "a.jsonl", ALL)))
    assert ingested.returncode == 0, ingested.stderr
    first, second = run("embed", "--json"), run("embed", "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["embedded"] == len(ALL)
    assert json.loads(second.stdout) | {"seconds": 0} == {
        "embedded": 0, "papers": len(ALL), "with_embedding": len(ALL), "model": MODEL_NAME, "seconds": 0}
