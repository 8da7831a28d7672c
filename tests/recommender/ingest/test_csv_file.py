"""CSV files: columns, quoting, rows without a title or with a bad date."""

from __future__ import annotations

import random

import pytest

from recommender.ingest.errors import SourceError
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


def test_a_field_over_16_mb_costs_only_its_row(db, tmp_path) -> None:
    # The csv module raised `_csv.Error: field larger than field limit` out of the import.
    path = tmp_path / "big.csv"
    path.write_text("id,title,abstract\n2705.00001,Graph networks one,x\n2705.00002,Huge,"
                    + "a" * (17 * 2**20) + "\n2705.00003,Graph networks three,y\n", encoding="utf-8")
    report = run_file(db, path)
    assert set(papers(db)) == {"2705.00001", "2705.00003"} and report.skipped == 1
    assert str(report.problems[0]) == ("line 3: unreadable CSV row: a field longer than 1,048,576 characters "
                                       "(PAPERBOT_INGEST_MAX_RECORD_KB)")


def test_latin1_is_read_as_such_and_said(db, tmp_path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("id,title\n2705.00001,Crème brûlée à la française networks\n".encode("latin-1"))
    report = run_file(db, path)
    assert papers(db)["2705.00001"].title == "Crème brûlée à la française networks"
    assert "not UTF-8; read as cp1252" in (report.message or "")


def test_other_encodings_and_binary_files_are_refused_whole(db, tmp_path) -> None:
    czech = tmp_path / "czech.csv"
    czech.write_bytes("id,title\n1,Żółć gęślą jaźń, Dvořák Černý, Łódź\n".encode("cp1250"))
    with pytest.raises(SourceError, match=r"looks like cp1250 text, not UTF-8.*iconv -f cp1250 -t UTF-8"):
        run_file(db, czech)
    junk = tmp_path / "junk.csv"
    noise = random.Random(1)
    junk.write_bytes(b"id,title\n" + bytes(noise.randrange(256) for _ in range(5000)))
    with pytest.raises(SourceError, match="not a text file"):
        run_file(db, junk)
    assert papers(db) == {}
