"""BibTeX files: entries, LaTeX accents and braces, DOIs, a broken entry."""

from __future__ import annotations

from datetime import date

from recommender.ingest.jobs import run_file
from tests.support.sources import BIB
from tests.support.stored import papers, write


def test_bibtex_import(db, tmp_path) -> None:
    report = run_file(db, write(tmp_path, "library.bib", BIB))
    stored = papers(db)
    assert set(stored) == {"1706.03762", "doi:10.1007/bfb0020217"}
    assert stored["1706.03762"].authors == ["Ashish Vaswani", "Noam Shazeer", "Niki Parmar"]
    assert stored["1706.03762"].published == date(2017, 6, 1)
    kernel = stored["doi:10.1007/bfb0020217"]
    assert kernel.title == "Kernel Principal Component Analysis for Nonlinear Feature Extraction"
    assert kernel.authors[0] == "Bernhard Schölkopf"
    assert report.skipped == 1 and report.status == "partial"
    assert run_file(db, write(tmp_path, "library.bib", BIB)).new == 0  # re-import changes nothing
