"""CSV files: columns, quoting, rows without a title or with a bad date."""

from __future__ import annotations

from recommender.ingest.jobs import run_file
from tests.support.sources import CSV
from tests.support.stored import papers, write


def test_csv_import(db, tmp_path) -> None:
    report = run_file(db, write(tmp_path, "papers.csv", CSV))
    stored = papers(db)
    assert set(stored) == {"2604.26951", "doi:10.1234/gnn.2025"}
    assert stored["2604.26951"].authors == ["Gongbo Zhang", "Wen Wang"] and stored["2604.26951"].categories == ["cs.CL", "cs.AI"]
    assert report.skipped == 2  # no title; a bad date
    assert any("published" in str(p) for p in report.problems)
