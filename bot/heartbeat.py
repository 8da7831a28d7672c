"""The bot's heartbeat: a file in the data directory, rewritten every 30 s while connected to
Discord; `paperbot health` (the Docker healthcheck) reads its age."""

from __future__ import annotations

import time
from pathlib import Path

FILE = "heartbeat"
EVERY = 30  # seconds between beats
STALE = 120  # seconds without a beat after which the bot counts as down


def path(data_dir: Path) -> Path:
    return data_dir / FILE


def beat(data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    target = path(data_dir)
    partial = target.with_suffix(".tmp")
    partial.write_text(f"{time.time():.0f}\n")
    partial.replace(target)  # atomic: a reader never sees half a file


def age(data_dir: Path) -> float | None:
    """Seconds since the last beat, or None when there never was one."""
    try:
        return max(time.time() - float(path(data_dir).read_text().strip()), 0.0)
    except (OSError, ValueError):
        return None
