"""Settings: defaults, environment and `.env`, and clear errors for bad values."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path

import pytest
from pydantic import ValidationError

from recommender.config import (
    WEEKDAYS,
    Settings,
    check_timezone,
    checked_schedule,
    parse_hhmm,
    parse_weekdays,
)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No PAPERBOT_* / DISCORD_TOKEN variables and an empty working directory (no .env)."""
    import os

    for name in list(os.environ):
        if name.startswith("PAPERBOT_") or name == "DISCORD_TOKEN":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def error_text(**values: object) -> str:
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, **values)
    return str(caught.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("08:30", time(8, 30)), ("8:30", time(8, 30)), (" 23:59 ", time(23, 59)), ("00:00", time(0, 0))],
)
def test_parse_hhmm(raw: str, expected: time) -> None:
    assert parse_hhmm(raw) == expected


@pytest.mark.parametrize("raw", ["24:00", "12:60", "8.30", "0830", "8:3", "noon", "", "-1:00", "08:30:00"])
def test_parse_hhmm_rejects_bad_times(raw: str) -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        parse_hhmm(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("mon-fri", WEEKDAYS[:5]),
        ("daily", WEEKDAYS),
        ("*", WEEKDAYS),
        ("", WEEKDAYS),
        ("mon,wed,fri", ("mon", "wed", "fri")),
        ("Fri, Mon", ("mon", "fri")),
        ("fri-mon", ("mon", "fri", "sat", "sun")),  # ranges wrap around the weekend
        ("sat-sun", ("sat", "sun")),
        ("monday, Wednesday", ("mon", "wed")),
        ("tues,thurs", ("tue", "thu")),
    ],
)
def test_parse_weekdays(raw: str, expected: tuple[str, ...]) -> None:
    assert parse_weekdays(raw) == expected


@pytest.mark.parametrize("raw", ["funday", "mon-funday", "weekdays", "1-5", "monkey", "sunshine", "wedding"])
def test_parse_weekdays_rejects_non_days(raw: str) -> None:
    with pytest.raises(ValueError, match="weekday"):
        parse_weekdays(raw)


def test_check_timezone() -> None:
    assert check_timezone("Europe/Berlin") == "Europe/Berlin"
    for bad in ("Mars/Olympus_Mons", "CEST+2", "", "../../etc/passwd"):
        with pytest.raises(ValueError, match="IANA time zone"):
            check_timezone(bad)


@pytest.mark.parametrize(("raw", "canonical"), [
    ("utc", "UTC"), ("UTC", "UTC"), (" europe/berlin ", "Europe/Berlin"), ("AMERICA/NEW_YORK", "America/New_York"),
])
def test_check_timezone_ignores_letter_case(raw: str, canonical: str) -> None:
    assert check_timezone(raw) == canonical


@pytest.mark.parametrize("call", [
    lambda v: check_timezone(v), lambda v: parse_hhmm(v), lambda v: parse_weekdays(v), lambda v: parse_weekdays("x-" + v),
])
def test_long_bad_values_are_quoted_by_a_short_prefix(call) -> None:  # type: ignore[no-untyped-def]
    value = "Q" * 3000  # ZoneInfo itself raises OSError (file name too long) on this
    with pytest.raises(ValueError) as caught:
        call(value)
    message = str(caught.value)
    assert len(message) < 200 and "q" * 41 not in message.casefold() and "characters)" in message


def test_defaults(clean_env: Path) -> None:
    settings = Settings(_env_file=None)
    assert settings.discord_token is None
    assert settings.data_dir == Path("paperbot-data")
    assert settings.db_url == f"sqlite:///{(clean_env / 'paperbot-data' / 'paperbot.db').resolve()}"
    assert settings.index_dir == Path("paperbot-data") / "index"
    assert (settings.digest_time, settings.digest_timezone) == ("08:00", "UTC")


def test_bad_values_are_clear_errors(clean_env: Path) -> None:
    assert "HH:MM" in error_text(digest_time="25:00")
    assert "IANA time zone" in error_text(digest_timezone="Mars/Olympus_Mons")
    assert "weekday" in error_text(digest_weekdays="funday")
    assert "log level must be" in error_text(log_level="chatty")
    assert "digest_size" in error_text(digest_size=0)
    assert "recommend_size" in error_text(recommend_size=11)
    assert "min_score" in error_text(min_score=11)


def test_environment_and_dotenv(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (clean_env / ".env").write_text(
        "DISCORD_TOKEN=from-dotenv-token\nPAPERBOT_DIGEST_TIME=07:15\nPAPERBOT_LOG_LEVEL=debug\n", encoding="utf-8"
    )
    settings = Settings()
    assert settings.discord_token is not None and settings.discord_token.get_secret_value() == "from-dotenv-token"
    assert "from-dotenv-token" not in repr(settings)  # a secret, never printed
    assert (settings.digest_time, settings.log_level) == ("07:15", "DEBUG")

    monkeypatch.setenv("PAPERBOT_DIGEST_TIME", "09:45")  # the environment wins over .env
    monkeypatch.setenv("PAPERBOT_DATABASE_URL", "postgresql+psycopg://u@h/db")
    settings = Settings()
    assert settings.digest_time == "09:45"
    assert settings.db_url == "postgresql+psycopg://u@h/db"

    monkeypatch.setenv("PAPERBOT_DIGEST_TIMEZONE", "Nowhere/Special")
    with pytest.raises(ValidationError, match="IANA time zone"):
        Settings()


def test_explicit_values_beat_the_environment(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # What the test fixtures rely on: init arguments win over PAPERBOT_* variables.
    monkeypatch.setenv("PAPERBOT_MIN_SCORE", "0.9")
    monkeypatch.setenv("DISCORD_TOKEN", "leaked-token-value")
    settings = Settings(_env_file=None, min_score=0.05, discord_token=None)
    assert (settings.min_score, settings.discord_token) == (0.05, None)




def test_timezone_names_are_the_canonical_iana_names() -> None:
    from recommender.config import check_timezone, timezone_names

    names = timezone_names()
    assert names == sorted(names) and "Europe/Berlin" in names and "UTC" in names
    assert all(check_timezone(n.lower()) == n for n in names[::50])


def test_checked_schedule_reads_cadence_and_a_weekly_day() -> None:
    assert checked_schedule(None, None, None) == (None, None, None, None, None)  # nothing given, nothing changed
    assert checked_schedule(None, None, None, "Weekly", "MON") == (None, None, None, "weekly", "mon")
    assert checked_schedule(None, None, None, None, "friday").cadence == "weekly"  # a day alone means weekly
    assert checked_schedule(None, None, None, "daily", "fri") == (None, None, None, "daily", "fri")
    assert checked_schedule("7:05", "utc", "mon-fri", " DAILY ") == ("07:05", "UTC", "mon-fri", "daily", None)


@pytest.mark.parametrize(("cadence", "day", "fragment"), [
    ("fortnightly", None, "'fortnightly' is not a cadence: daily or weekly"),
    ("", None, "is not a cadence"),
    (None, "mon-fri", "'mon-fri' is not one weekday"),
    (None, "daily", "is not one weekday"),
    (None, "someday", "is not one weekday"),
    (None, "", "is not one weekday"),
    (None, "x" * 10_000, "(10,000 characters)"),
])
def test_checked_schedule_refuses_other_cadences_and_days(cadence: str | None, day: str | None, fragment: str) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)):
        checked_schedule(None, None, None, cadence, day)
