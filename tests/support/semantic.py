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


LIKED = [
    paper("2606.20001", "Improving fuel efficiency of car engines",
          "We tune combustion timing in gasoline engines to reduce the fuel consumption of passenger cars."),
    paper("2606.20002", "Hybrid electric vehicles and battery range",
          "Electric drivetrains extend the driving range of commuter vehicles."),
]


RELATED = paper("2606.20003", "Lowering petrol usage in automobiles",
                "Smarter ignition control helps motorists burn less petrol on highways.")


UNRELATED = paper("2606.20004", "Sourdough loaves at home",
                  "Wild yeast cultures give bread a tangy flavour and an open crumb.")


OTHERS = [
    paper("2606.20005", "Graph neural networks for molecules", "Message passing predicts molecular properties."),
    paper("2606.20006", "Diffusion models for protein design", "Denoising generates new protein backbones."),
    paper("2606.20007", "Speech recognition with transformers", "Attention transcribes spoken audio."),
    paper("2606.20008", "Reinforcement learning for robot grasping", "Policies learn to pick objects from bins."),
    paper("2606.20009", "Federated learning under privacy constraints", "Clients train a shared model locally."),
    paper("2606.20010", "Galaxy morphology from telescope images", "Convolutional networks classify spiral galaxies."),
]


ALL = [*LIKED, RELATED, UNRELATED, *OTHERS]
