"""The extra is optional: the default install never imports torch, and switching the
extra on without installing it is a clear error, not a traceback at the first ingestion."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from recommender.config import Settings
from recommender.ranking.semantic import (
    INSTALL_HINT,
    SemanticUnavailable,
    semantic_available,
)
from recommender.service import PaperService
from recommender.storage.db import Database
from tests.support.semantic import paper, write_jsonl

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


def test_semantic_is_off_by_default() -> None:
    settings = Settings(_env_file=None)
    assert settings.semantic is False
    assert "semantic_latent" not in settings.weights


@without_extra
def test_switching_it_on_without_the_extra_is_a_clear_error(settings: Settings, db: Database) -> None:
    with pytest.raises(SemanticUnavailable) as caught:
        PaperService(settings.model_copy(update={"semantic": True}), db)
    message = str(caught.value)
    assert "PAPERBOT_SEMANTIC=1" in message and INSTALL_HINT in message and "torch" in message


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
