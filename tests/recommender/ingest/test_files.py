"""Local files: the format from the extension, or --format when it says nothing."""

from __future__ import annotations

import pytest

from recommender.ingest.errors import SourceError
from recommender.ingest.jobs import run_file
from tests.support.stored import write

CSV = """id,title,abstract,authors,categories,published,doi
2604.26951,Turning the TIDE: Cross-Architecture Distillation,Diffusion LLMs.,Gongbo Zhang; Wen Wang,cs.CL cs.AI,2026-04-29,
,A Survey of Graph Neural Networks for Molecules,Graphs.,Ada Lovelace,cs.LG,2025-01-02,10.1234/GNN.2025
,,Missing title row,,,,
2604.99999v2,"Commas, quotes ""and"" Ünïcödé",x,"Lovelace, Ada",cs.AI,not-a-date,
"""


def test_unknown_extension_needs_a_format(db, tmp_path) -> None:
    path = write(tmp_path, "papers.txt", CSV)
    with pytest.raises(SourceError, match="--format"):
        run_file(db, path)
    assert run_file(db, path, "csv").new == 2
