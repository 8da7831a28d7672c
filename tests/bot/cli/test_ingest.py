"""`paperbot ingest` and `paperbot bench` over real HTTP, and the bot's scheduled ingestion job."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from bot.cli import _register, app
from tests.conftest import backend  # noqa: F401  (both backends here, unlike the rest of tests/bot: these runs store what they ingest)
from tests.support.httpserver import Reply


def test_cli_fails_clearly_when_a_source_fails(tmp_path, server, db_url, monkeypatch) -> None:
    server.route("/rss/cs.LG", Reply(b"<!DOCTYPE html><html><body>Oops</body></html>", content_type="text/html"))
    for name, value in {
        "PAPERBOT_DATA_DIR": str(tmp_path), "PAPERBOT_DATABASE_URL": db_url,
        "PAPERBOT_ARXIV_RSS_URL": server.url("/rss/"), "PAPERBOT_HTTP_ATTEMPTS": "1",
    }.items():
        monkeypatch.setenv(name, value)
    _register()
    result = CliRunner().invoke(app, ["ingest", "arxiv", "--category", "cs.LG"])
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "HTML page instead of a feed" in text and "run the same command again" in text


def test_cli_file_import_and_bench(tmp_path, db_url, monkeypatch) -> None:
    from tests.support.sources import FIXTURES

    monkeypatch.setenv("PAPERBOT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PAPERBOT_DATABASE_URL", db_url)
    _register()
    data = FIXTURES / "arxiv-sample-hf-overlap.jsonl"
    result = CliRunner().invoke(app, ["ingest", "file", str(data), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["new"] == 21
    bench = CliRunner().invoke(app, ["bench", "ingest", "--data", str(data), "--json"])
    assert bench.exit_code == 0, bench.output
    figures = json.loads(bench.stdout)
    assert figures["records"] == 21 and figures["reimport_changed_nothing"] is True


def test_cli_file_import_reports_bad_records_and_refuses_unreadable_files(tmp_path, db_url, monkeypatch) -> None:
    monkeypatch.setenv("PAPERBOT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PAPERBOT_DATABASE_URL", db_url)
    monkeypatch.setenv("PAPERBOT_SEED_DEMO_CORPUS", "false")
    _register()
    bib = tmp_path / "odd.bib"
    bib.write_text("@article{[/red]odd, title={}}\n@article{good, title={Attention is all you need for graph"
                   " networks}, journal={arXiv preprint arXiv:1706.03762}, abstract={" + "long words " * 5000 + "}}\n",
                   encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", "file", str(bib)])
    text = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "skipped line 1 @[/red]odd: @article{[/red]odd}: no title" in text  # markup-like text shown as it is
    assert "cut line 2 @good: abstract cut from 55,000 to 40,000 characters before decoding" in text
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    result = CliRunner().invoke(app, ["ingest", "file", str(binary)])
    assert result.exit_code == 1 and "not a text file (binary data?)" in " ".join(result.output.split())
    assert "Traceback" not in result.output
