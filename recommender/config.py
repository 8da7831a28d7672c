"""Settings, read from the environment and `.env` (pydantic-settings)."""

from __future__ import annotations

import re
from datetime import time
from functools import cache
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from recommender.ranking.weights import SEMANTIC_WEIGHTS, WEIGHTS

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
INGEST_SOURCES = ("arxiv", "hf")
_CATEGORY_RE = re.compile(r"^[a-z\-]+(\.[A-Za-z\-]{2,})?$")


def split_list(value: str) -> list[str]:
    """"a, b c" -> ["a", "b", "c"] (commas or spaces)."""
    return [part for part in re.split(r"[\s,]+", value.strip()) if part]
_TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


QUOTE_MAX = 40  # error messages quote at most this much of what was typed


def quoted(value: str, limit: int = QUOTE_MAX) -> str:
    """`'Europe/Berlinn'`, or a short prefix with an ellipsis for long input (never the whole of it)."""
    return repr(value) if len(value) <= limit else repr(value[:limit]) + "… " + f"({len(value):,} characters)"


def parse_hhmm(value: str) -> time:
    """Parse "HH:MM" (24 h) into a time, with a clear error."""
    match = _TIME_RE.match(value.strip())
    if not match:
        raise ValueError(f"{quoted(value)} is not a time of day in HH:MM (24-hour) form, e.g. 08:30")
    return time(int(match.group(1)), int(match.group(2)))


@cache
def _timezones() -> dict[str, str]:
    """Case-folded IANA name -> canonical name ("utc" -> "UTC")."""
    return {name.casefold(): name for name in available_timezones()}


def timezone_names() -> list[str]:
    """Every IANA time zone name, sorted (for autocomplete)."""
    return sorted(_timezones().values())


def check_timezone(value: str) -> str:
    """The canonical IANA name for `value`, in any letter case ("europe/berlin" -> "Europe/Berlin")."""
    name = _timezones().get(value.strip().casefold())
    if name is None:
        try:  # a name the tz database has that available_timezones() does not list
            ZoneInfo(value)
            name = value
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
            raise ValueError(f"{quoted(value)} is not an IANA time zone name, e.g. Europe/Berlin or UTC") from None
    return name


def parse_shard_ids(value: str) -> tuple[int, ...]:
    """"0,2" or "0-3" -> (0, 2) / (0, 1, 2, 3)."""
    ids: set[int] = set()
    for part in split_list(value):
        start, dash, end = part.partition("-")
        if not start.isdigit() or (dash and not end.isdigit()):
            raise ValueError(f"{quoted(part)} is not a shard id or range like 0,1 or 0-3")
        ids.update(range(int(start), int(end if dash else start) + 1))
    if not ids:
        raise ValueError(f"{quoted(value)} names no shard")
    return tuple(sorted(ids))


_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_weekdays(value: str) -> tuple[str, ...]:
    """Parse "mon-fri", "mon,wed,fri", "daily" or "*" into weekday names."""
    text = value.strip().lower()
    if text in ("", "*", "daily", "all", "every day"):
        return WEEKDAYS
    days: list[str] = []
    for part in text.replace(" ", "").split(","):
        if "-" in part:
            start, _, end = part.partition("-")
            if start not in WEEKDAYS or end not in WEEKDAYS:
                raise ValueError(f"{quoted(part)} is not a weekday range like mon-fri")
            i, j = WEEKDAYS.index(start), WEEKDAYS.index(end)
            span = WEEKDAYS[i : j + 1] if i <= j else WEEKDAYS[i:] + WEEKDAYS[: j + 1]
            days.extend(span)
        elif part[:3] in WEEKDAYS and _DAY_NAMES[WEEKDAYS.index(part[:3])].startswith(part):  # "tues", not "monkey"
            days.append(part[:3])
        else:
            raise ValueError(f"{quoted(part)} is not a weekday (mon, tue, ... sun)")
    return tuple(d for d in WEEKDAYS if d in days)


CADENCES = ("daily", "weekly")


def parse_cadence(value: str) -> str:
    """"daily" or "weekly", in any case."""
    text = value.strip().lower()
    if text not in CADENCES:
        raise ValueError(f"{quoted(value)} is not a cadence: daily or weekly")
    return text


def parse_weekday(value: str) -> str:
    """One weekday ("mon", "Monday", "tues") -> its short name, for a weekly digest."""
    try:
        days = parse_weekdays(value) if value.strip() else ()
    except ValueError:
        days = ()
    if len(days) != 1:
        raise ValueError(f"{quoted(value)} is not one weekday: a weekly digest goes out on one day, e.g. mon")
    return days[0]


class Schedule(NamedTuple):
    """A digest's schedule as checked by `checked_schedule` (None where not given)."""

    time: str | None
    timezone: str | None
    weekdays: str | None
    cadence: str | None = None
    day: str | None = None  # a weekly digest's weekday

    def set_on(self, row: object, **columns: str) -> None:
        """Copy the parts given onto `row`, each field to its column (e.g. `time="dm_time"`)."""
        for name, column in columns.items():
            value = getattr(self, name)
            if value is not None:
                setattr(row, column, value)


def checked_schedule(
    time: str | None, tz: str | None, weekdays: str | None, cadence: str | None = None, day: str | None = None
) -> Schedule:
    """A digest's schedule as stored (None where not given): "HH:MM", an IANA zone, the weekdays of a
    daily digest as typed, or their canonical list when the text is too long for its column (never a
    cut-off, invalid text), the cadence ("daily" or "weekly") and a weekly digest's weekday ("mon").
    A weekday given without a cadence means weekly. Raises ValueError with a message for the member."""
    hhmm = None
    if time is not None:
        t = parse_hhmm(time)
        hhmm = f"{t.hour:02d}:{t.minute:02d}"
    zone = check_timezone(tz.strip()) if tz is not None else None
    days = None
    if weekdays is not None:
        parsed, text = parse_weekdays(weekdays), weekdays.strip().lower()
        days = text if len(text) <= 40 else ",".join(parsed)
    every = parse_cadence(cadence) if cadence is not None else None
    weekday = parse_weekday(day) if day is not None else None
    if weekday is not None and every is None:
        every = "weekly"
    return Schedule(hhmm, zone, days, every, weekday)


class Settings(BaseSettings):
    """All of paperbot's configuration. Environment variables win over `.env`."""

    model_config = SettingsConfigDict(
        env_prefix="PAPERBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    discord_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("DISCORD_TOKEN", "PAPERBOT_DISCORD_TOKEN")
    )
    data_dir: Path = Path("paperbot-data")
    database_url: str | None = None
    log_level: str = "INFO"

    digest_time: str = "08:00"
    digest_timezone: str = "UTC"
    digest_weekdays: str = "mon-fri"
    digest_size: int = Field(default=8, ge=1, le=25)
    digest_lookback_days: int = Field(default=3, ge=1, le=60)
    # A bot started within this many hours after a digest time posts that day's missed digest (0: never).
    digest_catch_up_hours: float = Field(default=6.0, ge=0, le=24)
    recommend_size: int = Field(default=5, ge=1, le=10)
    recommend_window_days: int = Field(default=30, ge=1, le=3650)
    # 1.0 = as close as a part's 5 closest reference papers (ranking/scale.py); docs/quality.md, topics.
    min_score: float = Field(default=0.3, ge=0.0, le=10.0)
    diversity: float = Field(default=0.3, ge=0.0, le=0.9)
    # Weights of the likes parts: the defaults are recommender/ranking/weights.py's (measured in
    # docs/quality.md); a PAPERBOT_WEIGHT_* variable overrides one, with or without the semantic extra.
    weight_centroid: float = Field(default=WEIGHTS["centroid"], ge=0.0, le=10.0)
    weight_latent: float = Field(default=WEIGHTS["latent"], ge=0.0, le=10.0)
    weight_colike: float = Field(default=WEIGHTS["colike"], ge=0.0, le=10.0)
    weight_popularity: float = Field(default=WEIGHTS["popularity"], ge=0.0, le=10.0)
    weight_centroid_cold: float = Field(default=WEIGHTS["centroid_cold"], ge=0.0, le=10.0)  # papers nobody has liked yet
    weight_latent_cold: float = Field(default=WEIGHTS["latent_cold"], ge=0.0, le=10.0)
    recency_half_life_days: float = Field(default=7.0, gt=0, le=365)
    # The optional semantic hybrid (needs `pip install 'paperbot[semantic]'`; see recommender/semantic.py).
    semantic: bool = False
    semantic_model: str = "all-MiniLM-L6-v2"

    seed_demo_corpus: bool = True
    dev_guild_id: int | None = None
    # Sharding: this process connects these shards of `shard_count` and schedules, scores and delivers
    # only their servers' digests (shard = (guild_id >> 22) % shard_count) and its members' DM digests
    # (shard = (user_id >> 22) % shard_count). Unset: one process, every shard (docs/deployment.md).
    shard_count: int | None = Field(default=None, ge=1, le=4096)
    shard_ids: str | None = None
    # Tests only: the Discord REST API base (e.g. http://127.0.0.1:PORT/api/v10 of the emulator in
    # tests/e2e/fakediscord); the gateway is ws://<same host:port>/. Never set it for a real bot.
    discord_api_url: str | None = None

    # Ingestion. arXiv's RSS listing is rebuilt at midnight US Eastern after each
    # announcement (Sun-Thu 20:00 ET), so the default job runs at 00:30 New York
    # time, every day: weekend and holiday runs record *why* there is nothing new.
    ingest_sources: str = "arxiv,hf"
    ingest_time: str = "00:30"
    ingest_timezone: str = "America/New_York"
    ingest_weekdays: str = "daily"
    arxiv_categories: str = "cs.AI,cs.CL,cs.CV,cs.LG"
    arxiv_cross_lists: bool = True
    hf_days: int = Field(default=2, ge=1, le=14)
    contact_email: str | None = None
    arxiv_rss_url: str = "https://rss.arxiv.org/rss/"
    arxiv_api_url: str = "https://export.arxiv.org/api/query"
    arxiv_oai_url: str = "https://oaipmh.arxiv.org/oai"
    hf_api_url: str = "https://huggingface.co/api/daily_papers"
    # arXiv's terms: at most one request every 3 seconds, so 3.0 is the floor.
    arxiv_min_interval: float = Field(default=3.0, ge=3.0, le=120.0)
    hf_min_interval: float = Field(default=1.0, ge=0.5, le=120.0)
    http_timeout: float = Field(default=30.0, gt=0, le=600)
    http_attempts: int = Field(default=5, ge=1, le=10)
    http_max_wait: float = Field(default=300.0, ge=1, le=3600)
    # What one import or feed may hold (recommender/ingest/limits.py): bigger is refused or cut, and reported.
    ingest_max_title: int = Field(default=1000, ge=50, le=100_000)  # characters; longer titles are cut
    ingest_max_abstract: int = Field(default=20_000, ge=100, le=1_000_000)  # characters; longer abstracts are cut
    ingest_max_authors: int = Field(default=500, ge=1, le=100_000)  # names kept per paper
    ingest_max_record_kb: int = Field(default=1024, ge=16, le=1_048_576)  # one JSON line, CSV field, BibTeX entry
    ingest_max_depth: int = Field(default=32, ge=4, le=500)  # nesting of a JSON record or response
    ingest_max_file_mb: int = Field(default=2048, ge=1, le=1_048_576)
    ingest_max_records: int = Field(default=5_000_000, ge=1)  # records per file
    ingest_record_seconds: float = Field(default=5.0, gt=0, le=3600)  # reading one record may take this long
    ingest_max_pages: int = Field(default=5000, ge=1, le=1_000_000)  # pages of one paged feed request

    @field_validator("digest_time", "ingest_time")
    @classmethod
    def _time(cls, value: str) -> str:
        parse_hhmm(value)
        return value

    @field_validator("digest_timezone", "ingest_timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        return check_timezone(value)

    @field_validator("digest_weekdays", "ingest_weekdays")
    @classmethod
    def _days(cls, value: str) -> str:
        parse_weekdays(value)
        return value

    @field_validator("ingest_sources")
    @classmethod
    def _sources(cls, value: str) -> str:
        unknown = [s for s in split_list(value) if s not in INGEST_SOURCES]
        if unknown:
            raise ValueError(f"unknown source {unknown[0]!r}; scheduled sources are {', '.join(INGEST_SOURCES)}")
        return value

    @field_validator("arxiv_categories")
    @classmethod
    def _categories(cls, value: str) -> str:
        cats = split_list(value)
        bad = [c for c in cats if not _CATEGORY_RE.match(c)]
        if bad or not cats:
            raise ValueError(f"{(bad or [value])[0]!r} is not an arXiv category like cs.LG or math.PR")
        return value

    @property
    def source_list(self) -> list[str]:
        return split_list(self.ingest_sources)

    @property
    def category_list(self) -> list[str]:
        return split_list(self.arxiv_categories)

    @field_validator("semantic_model")
    @classmethod
    def _semantic_model(cls, value: str) -> str:
        from recommender.ranking.semantic import MODEL_NAME

        if value != MODEL_NAME:
            raise ValueError(f"{value!r} is not a supported model; the semantic extra ships {MODEL_NAME}")
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("log level must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @field_validator("shard_ids")
    @classmethod
    def _shard_ids(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parse_shard_ids(value)
        return value

    @field_validator("discord_api_url")
    @classmethod
    def _api_url(cls, value: str | None) -> str | None:
        if value and not re.match(r"^https?://[^/]+/", value):
            raise ValueError(f"{quoted(value)} is not an http(s) URL like http://127.0.0.1:8080/api/v10")
        return value or None

    @model_validator(mode="after")
    def _shards_fit(self) -> Settings:
        self.shards  # noqa: B018 - raises on a shard id outside the count
        return self

    @property
    def shards(self) -> tuple[int, tuple[int, ...]]:
        """(shard count, this process's shard ids); (1, (0,)) when not sharded."""
        count = self.shard_count or 1
        ids = parse_shard_ids(self.shard_ids) if self.shard_ids else tuple(range(count))
        bad = [i for i in ids if i >= count]
        if bad:
            raise ValueError(f"PAPERBOT_SHARD_IDS has shard {bad[0]}, but PAPERBOT_SHARD_COUNT is {count} "
                             f"(shard ids go from 0 to {count - 1})")
        return count, ids

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'paperbot.db').resolve()}"

    @property
    def weights(self) -> dict[str, float]:
        """Weights of the parts of the likes score (recommender/ranking/weights.py).

        The defaults, or with the semantic extra on the hybrid's measured set
        (`SEMANTIC_WEIGHTS`); either way every `PAPERBOT_WEIGHT_*` that is set wins.
        """
        out = dict(SEMANTIC_WEIGHTS if self.semantic else WEIGHTS)
        for field_name in self.model_fields_set:
            if field_name.startswith("weight_"):
                out[field_name.removeprefix("weight_")] = getattr(self, field_name)
        return out

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

