"""Config for the Discord end-to-end tests: fakediscord fixtures and markers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# Make `import fakediscord` work in every pytest import mode (importlib mode adds no test dirs to sys.path).
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from fakediscord.pytest_plugin import discord_harness, fakediscord  # noqa: E402,F401 - registers the fixtures


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: end-to-end tests of the Discord layer against the local emulator")
    config.addinivalue_line("markers", "fakediscord(**kwargs): keyword arguments for the FakeDiscord fixture")
