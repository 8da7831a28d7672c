"""`paperbot bench plot`: the growth figures of `bench digest` / `bench recommend` drawn as a PNG."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from bot.cli import _register, app


def run(*args: str):  # type: ignore[no-untyped-def]
    _register()
    return CliRunner().invoke(app, ["bench", "plot", *args])


def test_plot_draws_the_digest_growth_and_the_service_calls(tmp_path) -> None:
    digest = {"users": 300, "papers": 40, "growth": [
        {"users": 30, "papers": 40, "seconds": 0.1}, {"users": 100, "papers": 40, "seconds": 0.2},
        {"users": 300, "papers": 10, "seconds": 0.1}, {"users": 300, "papers": 20, "seconds": 0.2},
        {"users": 300, "papers": 40, "seconds": 0.4}]}
    calls = [{"corpus": n, **{c: {"p50_ms": n / 1e4, "p99_ms": n / 5e3} for c in ("recommend", "search", "similar")}}
             for n in (1000, 10_000)]
    paths = []
    for i, data in enumerate([digest, *calls]):
        paths.append(tmp_path / f"f{i}.json")
        paths[-1].write_text(json.dumps(data))
    png = tmp_path / "out" / "growth.png"
    result = run(*map(str, paths), "--out", str(png))
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_plot_refuses_a_file_that_is_not_bench_output(tmp_path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"hello": 1}')
    result = run(str(bad), "--out", str(tmp_path / "p.png"))
    assert result.exit_code != 0 and "neither" in " ".join(result.output.split())
    bad.write_text("not json")
    result = run(str(bad), "--out", str(tmp_path / "p.png"))
    assert result.exit_code != 0 and "not a bench JSON file" in " ".join(result.output.split())
    assert not (tmp_path / "p.png").exists()
