"""The CLI sets up logging on the stream it writes to (CliRunner's, closed after each
invocation): put the root logger back after every test, so later tests log nowhere stale."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
