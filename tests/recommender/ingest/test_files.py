"""Local files: the format from the extension, or --format when it says nothing."""

from __future__ import annotations

import pytest

from recommender.ingest.errors import SourceError
from recommender.ingest.jobs import run_file
from tests.support.sources import CSV
from tests.support.stored import write


def test_unknown_extension_needs_a_format(db, tmp_path) -> None:
    path = write(tmp_path, "papers.txt", CSV)
    with pytest.raises(SourceError, match="--format"):
        run_file(db, path)
    assert run_file(db, path, "csv").new == 2
