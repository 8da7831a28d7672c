"""The `paperbot` command line, run as a user runs it: in a subprocess.

Every run gets a clean environment (no DISCORD_TOKEN, no PAPERBOT_* variables, a
working directory without `.env`) and its own data directory. Most start from a
copy of the session's seeded SQLite database and index, so they don't spend
seconds seeding; `run` starts from nothing, as a newcomer's first command does.
Independent runs are started together, since each spends seconds importing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer.main
from sqlalchemy.engine import make_url

from bot.cli import _register, app

PYTHON = sys.executable
PAPERBOT_SCRIPT = Path(sys.executable).parent / "paperbot"
TIMEOUT = 180
GNN = "graph neural networks"


@dataclass
class Run:
    args: Sequence[str]
    code: int
    out: str
    err: str

    @property
    def both(self) -> str:
        return self.out + self.err


def clean_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERBOT_") and k != "DISCORD_TOKEN"}
    env.update(PAPERBOT_DATA_DIR=str(data_dir), COLUMNS="200", NO_COLOR="1")
    env.update(extra)
    return env


def start(args: Sequence[str], data_dir: Path, stdin: str | None = None, **env: str) -> tuple[subprocess.Popen[str], str | None, Sequence[str]]:
    argv = list(args) if args[0] in (PYTHON, str(PAPERBOT_SCRIPT)) else [PYTHON, "-m", "bot", *args]
    proc = subprocess.Popen(
        argv, cwd=data_dir.parent, env=clean_env(data_dir, **env), text=True, encoding="utf-8",
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    return proc, stdin, args


def finish(started: tuple[subprocess.Popen[str], str | None, Sequence[str]]) -> Run:
    proc, stdin, args = started
    try:
        out, err = proc.communicate(stdin or "", timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"paperbot {' '.join(args)} timed out: {err[-2000:]}")
    return Run(args, proc.returncode, out, err)


def paperbot(*args: str, data_dir: Path, stdin: str | None = None, **env: str) -> Run:
    return finish(start(args, data_dir, stdin, **env))


def together(*runs: tuple[Sequence[str], dict[str, Any]]) -> list[Run]:
    """Start independent runs at once, then collect them in order."""
    started = [start(args, **kw) for args, kw in runs]
    return [finish(s) for s in started]


def no_traceback(run: Run) -> None:
    assert "Traceback" not in run.both, run.both[-3000:]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data directory (nothing in it yet)."""
    return tmp_path / "data"


@pytest.fixture
def seeded_dir(tmp_path: Path, seeded_sqlite: Any) -> Path:
    """A data directory holding a copy of the seeded demo database and its index."""
    target = tmp_path / "data"
    (target / "index").mkdir(parents=True)
    shutil.copyfile(seeded_sqlite.sqlite_file, target / "paperbot.db")
    shutil.copytree(seeded_sqlite.index_file.parent, target / "index", dirs_exist_ok=True)  # the manifest and its files
    return target


def command_paths() -> list[tuple[str, ...]]:
    """Every command and command group of the CLI, found by walking it (new ones are covered too)."""
    _register()
    paths: list[tuple[str, ...]] = []

    def walk(cmd: Any, path: tuple[str, ...]) -> None:
        paths.append(path)
        for name, sub in sorted(getattr(cmd, "commands", {}).items()):
            walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return paths


def test_help_on_every_command(data_dir: Path) -> None:
    paths = command_paths()
    assert {("run",), ("console",), ("ingest", "file"), ("recommend",), ("digest",), ("stats",), ("db", "upgrade")} <= set(paths)
    # Each --help in its own interpreter would cost seconds of imports per command, so one
    # subprocess runs the real entry point (bot.cli.main) once per command line ...
    driver = (
        "import json, sys\n"
        "from bot.cli import main\n"
        "for argv in json.loads(sys.argv[1]):\n"
        "    sys.argv = ['paperbot', *argv]\n"
        "    print('=== ' + json.dumps(argv[:-1]), flush=True)\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit as exc:\n"
        "        print(f'=== exit {exc.code or 0}', flush=True)\n"
    )
    each, script = together(
        ([PYTHON, "-c", driver, json.dumps([[*p, "--help"] for p in paths])], {"data_dir": data_dir}),
        # ... and the installed console script really starts (`python -m bot` runs in every other test).
        ([str(PAPERBOT_SCRIPT), "--help"], {"data_dir": data_dir}),
    )
    for run in (each, script):
        assert run.code == 0, run.both[-3000:]
        no_traceback(run)
    sections = re.split(r"^=== exit (\d+)\n", each.out, flags=re.M)
    helps: dict[tuple[str, ...], tuple[int, str]] = {}
    for chunk, code in zip(sections[0::2], sections[1::2]):
        header, _, text = chunk.partition("\n")
        helps[tuple(json.loads(header.removeprefix("=== ")))] = (int(code), text)
    assert set(helps) == set(paths)
    for path, (code, text) in helps.items():
        assert code == 0, text
        assert f"Usage: paperbot {' '.join(path)}".rstrip() in text, text
        assert "--help" in text
    assert "--user" in helps[("recommend",)][1] and "--json" in helps[("recommend",)][1]
    assert "--dry-run" in helps[("digest",)][1]
    assert "--json" in helps[("ingest", "file")][1]
    for name in ("run", "console", "ingest", "recommend", "digest", "stats", "db"):
        assert re.search(rf"│ {name}\s", script.out), name  # the top-level help lists every command
    assert script.out == helps[()][1]


def test_console_then_recommend_digest_and_stats(seeded_dir: Path, seeded_sqlite: Any) -> None:
    index_file = seeded_dir / "index" / seeded_sqlite.index_file.name
    index_before = index_file.stat().st_mtime_ns
    console = paperbot(
        "console", data_dir=seeded_dir,
        stdin=f"/subscribe topic: {GNN}\n/recommend\n/topics\n/digest channel channel: 4242\n",
    )
    assert console.code == 0, console.both[-3000:]
    no_traceback(console)
    assert "First start" not in console.err  # an existing database is not seeded again
    assert f"Subscribed to {GNN}" in console.out
    assert "Top 5 of 3,000 papers from the " in console.out
    assert "The daily digest will be posted in #channel-4242" in console.out
    titles = re.findall(r"^╭─ \d\. (.+?) ─*╮$", console.out, flags=re.M)
    assert len(titles) == 5 and sum("graph" in t.lower() for t in titles) >= 4, titles

    recommend, digest, stats = together(
        (["recommend", "--user", "1", "--json"], {"data_dir": seeded_dir}),
        (["digest", "--channel", "4242", "--dry-run", "--json"], {"data_dir": seeded_dir}),
        (["stats", "--json"], {"data_dir": seeded_dir}),
    )
    assert recommend.code == 0, recommend.err
    picks = json.loads(recommend.out)["recommendations"]
    assert [p["title"][:40] for p in picks] == [t[:40] for t in titles]  # the console showed the same picks
    assert all(p["matched"] == GNN and p["terms"] and p["url"].startswith("https://arxiv.org/abs/") for p in picks)
    assert sum(bool(re.search(r"\bgraph|\bgnn", (p["title"] + p["abstract"]).lower())) for p in picks) >= 4

    assert digest.code == 0, digest.err
    draft = json.loads(digest.out)
    assert draft["target"] == {"kind": "channel", "id": 4242, "guild_id": 1}  # the console's server
    assert draft["topics"] == [GNN] and len(draft["papers"]) == 8
    assert all(p["matched"] == GNN for p in draft["papers"])

    assert stats.code == 0, stats.err
    counts = json.loads(stats.out)
    assert (counts["papers"], counts["users"], counts["subscriptions"], counts["servers"]) == (seeded_sqlite.report.new, 1, 1, 1)
    assert counts["digests_sent"] == 0 and counts["database"] == "sqlite" and counts["index_papers"] == counts["papers"]
    with closing(sqlite3.connect(seeded_dir / "paperbot.db")) as conn:
        assert conn.execute("SELECT count(*) FROM digests").fetchone() == (0,)  # a dry run records nothing
    assert index_file.stat().st_mtime_ns == index_before  # every run loaded the saved index, none refitted


def test_ingest_file_reports_bad_lines(data_dir: Path, tmp_path: Path) -> None:
    good = [{"id": f"2607.0000{n}", "title": f"Graph neural networks {n}", "abstract": "GNNs.", "published": "2026-07-01"} for n in range(3)]
    lines = [json.dumps(good[0]), '{"id": "2607.1", "title": ', "", json.dumps({"title": "no id"}), json.dumps(good[1]),
             json.dumps({**good[2], "authors": "not a list"}), json.dumps(good[2])]
    path = tmp_path / "papers.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")

    first = paperbot("ingest", "file", str(path), data_dir=data_dir)
    assert first.code == 0, first.both[-3000:]  # bad lines are skipped, not fatal
    no_traceback(first)
    problems = {n: line for line in first.err.splitlines() for n in (2, 4, 6) if f"line {n}:" in line}
    assert "broken JSON" in problems[2] and "id" in problems[4] and "authors" in problems[6], first.err
    assert "ingest file: partial" in first.err
    assert re.search(r"│\s*3\s*│\s*0\s*│\s*0\s*│\s*3\s*│", first.err), first.err  # new updated unchanged skipped
    with closing(sqlite3.connect(data_dir / "paperbot.db")) as conn:
        stored = {row[0] for row in conn.execute("SELECT id FROM papers")}
    assert stored == {g["id"] for g in good}  # every good line, and no demo corpus

    again, missing, nothing = together(
        (["ingest", "file", str(path), "--json"], {"data_dir": data_dir}),
        (["ingest", "file", str(tmp_path / "nope.jsonl")], {"data_dir": data_dir}),
        (["ingest", "file", str(empty)], {"data_dir": tmp_path / "other"}),
    )
    report = json.loads(again.out)
    assert (report["new"], report["updated"], report["unchanged"], report["skipped"]) == (0, 0, 3, 3)
    assert [p.split(":")[0] for p in report["problems"]] == ["line 2", "line 4", "line 6"]
    assert missing.code == 1 and "nope.jsonl: no such file" in missing.err
    assert nothing.code == 1 and "no records found" in nothing.err
    for run in (again, missing, nothing):
        no_traceback(run)


def test_db_upgrade(seeded_dir: Path, tmp_path: Path) -> None:
    fresh, current = together((["db", "upgrade"], {"data_dir": tmp_path / "fresh"}), (["db", "upgrade"], {"data_dir": seeded_dir}))
    assert fresh.code == 0, fresh.err
    assert re.search(r"migrated from empty to revision \w+", fresh.err), fresh.err
    assert (tmp_path / "fresh" / "paperbot.db").is_file()
    assert current.code == 0 and "is up to date" in current.err, current.err


@pytest.mark.postgres
def test_db_upgrade_on_postgres(data_dir: Path, pg_database: str) -> None:
    url = make_url(pg_database)
    if url.password is None:  # show that a password never reaches the output (trust auth ignores it)
        url = url.set(password="not-shown")
    run = paperbot("db", "upgrade", data_dir=data_dir, PAPERBOT_DATABASE_URL=url.render_as_string(hide_password=False))
    assert run.code == 0, run.err
    assert "migrated from empty to revision" in run.err
    assert url.password not in run.err and "***" in run.err
    assert not (data_dir / "paperbot.db").exists()


def test_run_without_token_starts_the_console(data_dir: Path) -> None:
    # A newcomer's first command: no token, no database yet.
    run = paperbot("run", data_dir=data_dir, stdin=f"/subscribe topic: {GNN}\n/recommend\n")  # DISCORD_TOKEN unset
    assert run.code == 0, run.both[-3000:]
    no_traceback(run)
    assert "No DISCORD_TOKEN is set" in run.err
    assert "First start: loaded 3,000 real arXiv papers" in run.err
    assert re.search(r"Top 5 of 3,000 papers from the (last 30 days|30 days to 2026-07-01)", run.out), run.out[:500]
    titles = re.findall(r"^╭─ \d\. (.+?) ─*╮$", run.out, flags=re.M)
    assert sum("graph" in t.lower() for t in titles) >= 4, titles
    assert (data_dir / "paperbot.db").is_file() and (data_dir / "index").is_dir()


def test_bad_input_gets_a_clear_message_and_a_non_zero_exit(seeded_dir: Path, tmp_path: Path) -> None:
    afile = tmp_path / "a-file"
    afile.write_text("")
    cases = {
        "bad day": (["digest", "--channel", "5", "--dry-run", "--day", "tomorrow"], {}, 2, "is not a date in YYYY-MM-DD"),
        "bad config": (["stats"], {"PAPERBOT_DIGEST_TIME": "25:00"}, 2, "bad configuration: PAPERBOT_DIGEST_TIME"),
        "huge topic": (["recommend", "--user", "1", "--topic", "t" * 10_000], {}, 1, "That topic is 10,000 characters long"),
        "not a dry run": (["digest", "--channel", "5"], {}, 2, "use --dry-run to print the digest"),
        "bad data dir": (["db", "upgrade"], {"PAPERBOT_DATA_DIR": str(afile / "data")}, 1, "cannot create the data directory"),
        "server down": (["db", "upgrade"], {"PAPERBOT_DATABASE_URL": "postgresql+psycopg://u:s3cret@127.0.0.1:1/x"}, 1, "cannot open the database"),
    }
    runs = together(*((args, {"data_dir": seeded_dir, **env}) for args, env, _, _ in cases.values()))
    for (name, (_, _, code, message)), run in zip(cases.items(), runs):
        assert run.code == code, (name, run.both[-2000:])
        assert message in run.err.replace("\n", " "), (name, run.err[-2000:])
        no_traceback(run)
    assert "s3cret" not in runs[-1].err
