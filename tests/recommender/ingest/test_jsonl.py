"""`PaperService.ingest_file`: JSON Lines import, bad lines, idempotency, versions."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from recommender.ingest.errors import SourceError
from recommender.service import PaperService
from recommender.storage.models import IngestRun, Paper


def record(pid: str, title: str = "A study of graph neural networks", **extra: Any) -> dict[str, Any]:
    return {
        "id": pid,
        "title": title,
        "abstract": extra.pop("abstract", f"Abstract of {pid} about message passing on graphs."),
        "authors": extra.pop("authors", ["Ada Lovelace", "Alan Turing"]),
        "categories": extra.pop("categories", ["cs.LG"]),
        "published": extra.pop("published", "2026-06-30"),
        "updated": extra.pop("updated", None),
        **extra,
    }


def write_lines(path: Path, lines: list[str | dict[str, Any]]) -> Path:
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def all_papers(service: PaperService) -> dict[str, dict[str, Any]]:
    """Every stored paper, every column (to compare snapshots)."""
    with service.db.session() as s:
        rows = s.scalars(select(Paper)).all()
        return {p.id: {c.key: getattr(p, c.key) for c in Paper.__mapper__.column_attrs} for p in rows}


# Line numbers count every physical line, blank ones included.
MIXED = [
    record("2606.90001", "Graph neural networks for molecules"),  # 1 good
    '{"id": "2606.90002", "title": "broken',  # 2 broken JSON
    "",  # 3 blank
    json.dumps({"title": "No id here"}),  # 4 missing id
    json.dumps({"id": "2606.90003"}),  # 5 missing title
    json.dumps(record("2606.90004", authors="Ada Lovelace")),  # 6 authors not a list
    json.dumps(record("2606.90005", published="last Tuesday")),  # 7 not a date
    json.dumps(record("2606.90006", title=42)),  # 8 title not a string
    json.dumps(["2606.90007", "a list, not an object"]),  # 9 not an object
    "   \t  ",  # 10 whitespace only
    json.dumps(record("2606.90008", title="")),  # 11 empty title
    json.dumps(record("not an id with spaces")),  # 12 id neither arXiv nor a plain identifier
    record("2606.90009v2", "Diffusion models for protein design", published="2026-06-29T18:00:00Z"),  # 13 good
    json.dumps(record("2606.90010", categories="cs.LG")),  # 14 categories not a list
    record("hep-th/9901001", "Strings on branes", published="1999-01-05"),  # 15 good, old-style id
    "null",  # 16 JSON, but null
]
GOOD = {"2606.90001", "2606.90009", "hep-th/9901001"}
BAD = {2: "broken JSON", 4: "id", 5: "title", 6: "authors", 7: "published", 8: "title", 9: "JSON object",
       11: "title", 12: "id", 14: "categories", 16: "JSON object"}


def test_bad_lines_are_reported_with_line_numbers_and_good_lines_land(bare_service: PaperService, tmp_path: Path) -> None:
    path = write_lines(tmp_path / "mixed.jsonl", MIXED)
    report = bare_service.ingest_file(path)

    assert (report.new, report.updated, report.unchanged) == (len(GOOD), 0, 0)
    assert report.skipped == len(BAD)
    assert report.status == "partial"
    problems = {p.where: p.message for p in report.problems}
    assert set(problems) == {f"line {n}" for n in BAD}
    for number, field in BAD.items():
        assert field in problems[f"line {number}"], problems[f"line {number}"]

    stored = all_papers(bare_service)
    assert set(stored) == GOOD
    assert stored["2606.90009"]["version"] == 2
    assert stored["2606.90009"]["published"] == date(2026, 6, 29)  # ISO timestamps are cut to the date
    assert stored["2606.90001"]["authors"] == ["Ada Lovelace", "Alan Turing"]
    assert stored["hep-th/9901001"]["links"]["abs"] == "https://arxiv.org/abs/hep-th/9901001"
    with bare_service.db.session() as s:
        run = s.get(IngestRun, report.run_id)
        assert (run.status, run.new, run.skipped) == ("partial", len(GOOD), len(BAD))


def test_reimport_changes_nothing(bare_service: PaperService, tmp_path: Path) -> None:
    path = write_lines(tmp_path / "mixed.jsonl", MIXED)
    first = bare_service.ingest_file(path)
    before = all_papers(bare_service)
    index_file = bare_service.index_store.path
    index_stat = index_file.stat()

    second = bare_service.ingest_file(path)
    assert (second.new, second.updated, second.unchanged, second.skipped) == (0, 0, first.new, first.skipped)
    assert all_papers(bare_service) == before  # every column, modified_at included
    # Nothing changed, so the index was not touched either.
    assert (index_file.stat().st_ino, index_file.stat().st_mtime_ns) == (index_stat.st_ino, index_stat.st_mtime_ns)


def test_newer_version_updates_in_place_older_does_not(bare_service: PaperService, tmp_path: Path) -> None:
    v1 = record("2606.90020v1", "First title", abstract="First abstract.", published="2026-06-20")
    v2 = record("2606.90020v2", "Second title", abstract="Second abstract.", published="2026-06-25")
    v3_no_version = record("2606.90020", "Unversioned title")
    bare_service.ingest_file(write_lines(tmp_path / "v1.jsonl", [v1]))

    report = bare_service.ingest_file(write_lines(tmp_path / "v2.jsonl", [v2]))
    assert (report.new, report.updated) == (0, 1)
    stored = all_papers(bare_service)
    assert list(stored) == ["2606.90020"]
    paper = stored["2606.90020"]
    assert (paper["version"], paper["title"], paper["abstract"]) == (2, "Second title", "Second abstract.")
    assert paper["published"] == date(2026, 6, 20)  # the first announcement date stays
    assert paper["title_key"] == "second title"

    report = bare_service.ingest_file(write_lines(tmp_path / "v1-again.jsonl", [v1]))
    assert (report.new, report.updated, report.unchanged) == (0, 0, 1)
    assert all_papers(bare_service)["2606.90020"]["title"] == "Second title"

    # Without a version, a record can't be older: its content wins, the version stays.
    report = bare_service.ingest_file(write_lines(tmp_path / "v.jsonl", [v3_no_version]))
    assert report.updated == 1
    paper = all_papers(bare_service)["2606.90020"]
    assert (paper["version"], paper["title"]) == (2, "Unversioned title")


def test_newest_version_wins_within_one_file(bare_service: PaperService, tmp_path: Path) -> None:
    lines = [record("2606.90030v3", "Third"), record("2606.90030v1", "First"), record("2606.90030v2", "Second")]
    report = bare_service.ingest_file(write_lines(tmp_path / "versions.jsonl", lines))
    assert report.new == 1
    assert all_papers(bare_service)["2606.90030"]["title"] == "Third"


def test_updated_date_orders_unversioned_records(bare_service: PaperService, tmp_path: Path) -> None:
    newer = record("2606.90040", "Newer", updated="2026-06-28")
    older = record("2606.90040", "Older", updated="2026-06-21")
    bare_service.ingest_file(write_lines(tmp_path / "a.jsonl", [newer]))
    report = bare_service.ingest_file(write_lines(tmp_path / "b.jsonl", [older]))
    assert (report.updated, report.unchanged) == (0, 1)
    assert all_papers(bare_service)["2606.90040"]["title"] == "Newer"


def test_missing_fields_never_erase_stored_ones(bare_service: PaperService, tmp_path: Path) -> None:
    bare_service.ingest_file(write_lines(tmp_path / "a.jsonl", [record("2606.90050", "Full", abstract="Full abstract.")]))
    sparse = {"id": "2606.90050", "title": "Full", "abstract": None, "authors": [], "categories": []}
    report = bare_service.ingest_file(write_lines(tmp_path / "b.jsonl", [sparse]))
    assert report.unchanged == 1
    paper = all_papers(bare_service)["2606.90050"]
    assert paper["abstract"] == "Full abstract." and paper["categories"] == ["cs.LG"]


def test_gzip_files_are_read(bare_service: PaperService, tmp_path: Path) -> None:
    path = tmp_path / "papers.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write(json.dumps(record("2606.90060")) + "\n" + json.dumps(record("2606.90061")) + "\n")
    assert bare_service.ingest_file(path).new == 2
    assert set(all_papers(bare_service)) == {"2606.90060", "2606.90061"}


def test_empty_file_is_an_empty_run(bare_service: PaperService, tmp_path: Path) -> None:
    path = write_lines(tmp_path / "empty.jsonl", ["", "   "])
    report = bare_service.ingest_file(path)
    assert (report.seen, report.status, report.empty_reason) == (0, "empty", "no records")


def test_missing_and_unreadable_files_are_clear_errors(bare_service: PaperService, tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        bare_service.ingest_file(tmp_path / "nope.jsonl")
    with pytest.raises(SourceError, match="no such file"):
        bare_service.ingest_file(tmp_path)  # a directory
    broken_gz = tmp_path / "broken.jsonl.gz"
    broken_gz.write_bytes(b"this is not gzip data")
    with pytest.raises(SourceError, match="cannot read the file"):
        bare_service.ingest_file(broken_gz)


def test_a_line_in_another_encoding_costs_only_itself(bare_service: PaperService, tmp_path: Path) -> None:
    # A UTF-8 file with one Latin-1 line: that line is refused, naming the byte, never stored as mojibake.
    path = tmp_path / "mixed.jsonl"
    good = json.dumps(record("2606.90070", "Caf\u00e9 networks"), ensure_ascii=False).encode("utf-8")
    latin1 = json.dumps(record("2606.90071", "Cr\u00e8me networks"), ensure_ascii=False).encode("latin-1")
    path.write_bytes(good + b"\n" + latin1 + b"\n")
    report = bare_service.ingest_file(path)
    assert (report.new, report.skipped) == (1, 1)
    assert "line 2" in str(report.problems[0]) and "0xE8" in str(report.problems[0])
    assert all_papers(bare_service)["2606.90070"]["title"] == "Café networks"


def test_overlong_field_values_do_not_abort_the_import(bare_service: PaperService, tmp_path: Path) -> None:
    # PostgreSQL refuses strings longer than a VARCHAR column; one odd record must not sink the file.
    lines = [
        record("2606.90080", categories=["c" * 40, "cs.CL"]),
        record("2606.90081", doi="10.1000/" + "d" * 400),
        record("2606.90082"),
    ]
    report = bare_service.ingest_file(write_lines(tmp_path / "long.jsonl", lines))
    assert (report.new, report.skipped, report.status) == (3, 0, "ok")
    stored = all_papers(bare_service)
    assert stored["2606.90080"]["categories"] == ["cs.CL"] and stored["2606.90080"]["primary_category"] == "cs.CL"
    assert stored["2606.90081"]["doi"] is None


# -- the cases of issue 12: one bad line costs only itself, on both backends -----------


def test_the_bad_lines_of_issue_12_cost_only_themselves(db, tmp_path: Path) -> None:
    from recommender.ingest.jobs import run_file

    lines = [json.dumps(record(f"2705.{n:05d}", f"Graph networks study number {n}")) for n in range(1, 41)]
    lines[3] = json.dumps(record("2705.00004", categories=["cs.LG\u0000"]))  # NUL: PostgreSQL refused the batch
    lines[5] = json.dumps(record("2705.00006", doi="10.1000/x\u0000y"))
    lines[7] = json.dumps(record("2705.00008v12345678901234567890"))  # OverflowError / integer out of range
    lines[9] = "[" * 100_000  # RecursionError
    lines[11] = json.dumps(record("2705.00012", title="T" * 10_000_000))  # a 10 MB line
    lines[13] = json.dumps(record("2705.00014", published="9999-12-31"))
    lines[15] = json.dumps(record("2705.00016", title={"nested": [[[[1]]]]}))
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = run_file(db, path)
    problems = {p.where: p.message for p in report.problems}
    assert set(problems) == {"line 8", "line 10", "line 12", "line 14", "line 16"}
    assert "version v12345678901234567890 is not a real arXiv version" in problems["line 8"]
    assert "nested deeper than 32 levels" in problems["line 10"]
    assert "a line of 10,000," in problems["line 12"] and "PAPERBOT_INGEST_MAX_RECORD_KB" in problems["line 12"]
    assert "9999-12-31 is not a plausible date" in problems["line 14"]
    assert "title: Input should be a valid string, got dict" == problems["line 16"]
    stored = papers_of(db)
    assert len(stored) == 35 and report.new == 35 and report.skipped == 5
    assert stored["2705.00004"].categories == ["cs.LG"] and stored["2705.00006"].doi == "10.1000/xy"
    again = run_file(db, path)  # the re-run stops nowhere and changes nothing
    assert (again.new, again.unchanged, again.skipped) == (0, 35, 5)


def test_a_bom_keeps_the_first_record_and_utf16_is_read(db, tmp_path: Path) -> None:
    from recommender.ingest.jobs import run_file

    text = "\n".join(json.dumps(record(f"2705.0010{n}", f"Crème brûlée networks {n}"), ensure_ascii=False) for n in range(3))
    (tmp_path / "bom.jsonl").write_text(text, encoding="utf-8-sig")
    (tmp_path / "wide.jsonl").write_text(text, encoding="utf-16")
    assert run_file(db, tmp_path / "bom.jsonl").new == 3
    wide = run_file(db, tmp_path / "wide.jsonl")
    assert (wide.unchanged, wide.skipped) == (3, 0)
    assert papers_of(db)["2705.00100"].title == "Crème brûlée networks 0"


def papers_of(db) -> dict[str, Paper]:
    with db.session() as s:
        return {p.id: p for p in s.scalars(select(Paper))}
