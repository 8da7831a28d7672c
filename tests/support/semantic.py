"""Helpers for the semantic extra's tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from recommender.ranking.semantic import (
    INSTALL_HINT,
    missing_packages,
    semantic_available,
)

# Tests that run the real all-MiniLM-L6-v2 model: skipped, with the install command in
# the reason, where `paperbot[semantic]` is not installed (the default install, and CI).
needs_extra = pytest.mark.skipif(
    not semantic_available(),
    reason=f"the semantic extra is not installed ({', '.join(missing_packages())} missing): `{INSTALL_HINT}` to run",
)


def paper(pid: str, title: str, abstract: str, **extra: Any) -> dict[str, Any]:
    """A JSON Lines record in the arXiv sample's schema."""
    return {"id": pid, "title": title, "abstract": abstract, "authors": ["Ada Lovelace"],
            "categories": ["cs.LG"], "published": "2026-06-30", **extra}


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path
