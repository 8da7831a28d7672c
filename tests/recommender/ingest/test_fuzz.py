"""Every importer and feed parser, fuzzed: any input imports its good records or reports errors.

The default suite runs a few derandomized examples of each property (on both
backends when PostgreSQL is configured); `pytest -m fuzz` runs the same
properties for PAPERBOT_FUZZ_SECONDS (default 600) with fresh random inputs and
prints the figures (inputs tried, crashes, records lost). The property itself is
in tests/support/fuzzing.py.
"""

from __future__ import annotations

import os
import time

import pytest
from hypothesis import HealthCheck, given, settings

from tests.support import fuzzing

EXAMPLES = int(os.environ.get("PAPERBOT_FUZZ_EXAMPLES", "6"))
QUICK = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                        HealthCheck.data_too_large])


@pytest.mark.parametrize("fmt", sorted(fuzzing.FILE_BASES))
def test_any_file_imports_its_good_records_or_reports_errors(db, tmp_path, fmt: str) -> None:
    @QUICK
    @given(fuzzing.inputs(fuzzing.FILE_BASES[fmt]))
    def prop(data: bytes) -> None:
        fuzzing.check_file(db, tmp_path, fmt, data)

    prop()


@pytest.mark.parametrize("kind", sorted(fuzzing.FEED_BASES))
def test_any_feed_response_is_parsed_or_refused_and_good_records_land(db, kind: str) -> None:
    @QUICK
    @given(fuzzing.inputs(fuzzing.FEED_BASES[kind]))
    def prop(data: bytes) -> None:
        fuzzing.check_feed(db, kind, data)

    prop()


def test_the_real_fixtures_themselves_pass(db, tmp_path) -> None:
    # The unmutated bases: every record good, all stored (the oracle is not vacuous).
    for fmt, base in fuzzing.FILE_BASES.items():
        before = fuzzing.STATS.good
        fuzzing.check_file(db, tmp_path, fmt, base)
        assert fuzzing.STATS.good - before == 5, fmt
    for kind, base in fuzzing.FEED_BASES.items():
        before = fuzzing.STATS.good
        fuzzing.check_feed(db, kind, base)
        assert fuzzing.STATS.good - before >= 3, kind


BASES = {"file": fuzzing.FILE_BASES, "feed": fuzzing.FEED_BASES}
CHECKS = {
    "file": lambda db, folder, name: lambda data: fuzzing.check_file(db, folder, name, data),
    "feed": lambda db, folder, name: lambda data: fuzzing.check_feed(db, name, data),
}


@pytest.mark.fuzz
def test_long_fuzzing_run(request: pytest.FixtureRequest, db, tmp_path) -> None:
    """`pytest -m fuzz`: every property in turn with random inputs until PAPERBOT_FUZZ_SECONDS have passed."""
    if "fuzz" not in (request.config.option.markexpr or ""):
        pytest.skip("the long fuzzing run: `pytest -m fuzz` (PAPERBOT_FUZZ_SECONDS)")
    budget = float(os.environ.get("PAPERBOT_FUZZ_SECONDS", "600"))
    deadline = time.monotonic() + budget
    fuzzing.STATS = fuzzing.Stats()
    rounds = settings(max_examples=50, deadline=None, derandomize=False, database=None,
                      suppress_health_check=list(HealthCheck))
    targets = [("file", f) for f in sorted(fuzzing.FILE_BASES)] + [("feed", k) for k in sorted(fuzzing.FEED_BASES)]
    while time.monotonic() < deadline:
        for what, name in targets:
            try:
                rounds(given(fuzzing.inputs(BASES[what][name]))(CHECKS[what](db, tmp_path, name)))()
            except Exception as exc:  # noqa: BLE001 - count it, keep fuzzing, fail at the end
                fuzzing.STATS.crashes += 1
                fuzzing.STATS.failures.append(f"{what} {name}: {type(exc).__name__}: {str(exc)[:300]}")
            if time.monotonic() >= deadline:
                break
    print(f"\nfuzzing for {budget:.0f} s on {db.backend}: {fuzzing.STATS.line()}")
    for failure in fuzzing.STATS.failures:
        print("  ", failure)
    assert not fuzzing.STATS.crashes and not fuzzing.STATS.lost
