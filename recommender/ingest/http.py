"""Polite HTTP for every source: one connection, paced requests, hard timeouts, retries.

arXiv's terms ask for at most one request every 3 seconds on a single connection.
`Pacer` enforces the gap (measured from the end of one request to the start of
the next) and serialises requests; `PoliteClient` adds hard timeouts and retries
with back-off on 429/5xx, timeouts and dropped connections, honouring Retry-After.
Tests inject a short interval or a clock; the defaults obey arXiv's terms.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
)

from recommender.ingest.errors import SourceError

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class Transient(Exception):
    """A failure worth retrying: 429/5xx, a timeout, a dropped connection, a broken body."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class BadPayload(Transient):
    """The server answered 200 but the body is not what we asked for (truncated, HTML)."""


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclass(frozen=True)
class HttpPolicy:
    min_interval: float = 3.0  # seconds between the end of one request and the next
    timeout: float = 30.0  # hard cap on one request, first byte to last
    connect_timeout: float = 10.0
    attempts: int = 5
    backoff: float = 5.0  # first wait without Retry-After; doubles per attempt
    max_wait: float = 300.0  # longest wait we accept; a longer Retry-After fails the run
    max_bytes: int = 64 * 2**20


class Pacer:
    """One request at a time, with at least `interval` seconds between them."""

    def __init__(self, interval: float, clock: Clock | None = None) -> None:
        self.interval = interval
        self.clock = clock or SystemClock()
        self._lock = threading.Lock()
        self._next = float("-inf")

    def __enter__(self) -> Pacer:
        self._lock.acquire()
        delay = self._next - self.clock.monotonic()
        if delay > 0:
            self.clock.sleep(delay)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._next = self.clock.monotonic() + self.interval
        self._lock.release()


_shared: dict[str, Pacer] = {}
_shared_lock = threading.Lock()


def shared_pacer(site: str, interval: float) -> Pacer:
    """The process-wide pacer for a site, so every arXiv call shares one budget."""
    with _shared_lock:
        pacer = _shared.get(site)
        if pacer is None:
            pacer = _shared[site] = Pacer(interval)
        pacer.interval = max(pacer.interval, interval)
        return pacer


def user_agent(contact: str | None = None) -> str:
    try:
        ver = version("paperbot")
    except PackageNotFoundError:
        ver = "dev"
    who = f"; mailto:{contact}" if contact else ""
    return f"paperbot/{ver} (self-hosted arXiv paper recommender{who}) httpx/{httpx.__version__}"


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Parse Retry-After: delta seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class PoliteClient:
    """GETs through one paced connection; `get` parses the body inside the retry loop."""

    def __init__(
        self,
        name: str,
        policy: HttpPolicy,
        agent: str,
        pacer: Pacer | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.name = name
        self.policy = policy
        self.clock = clock or SystemClock()
        self.pacer = pacer or Pacer(policy.min_interval, self.clock)
        self.requests = 0
        self._http = httpx.Client(
            headers={"User-Agent": agent},
            timeout=httpx.Timeout(policy.timeout, connect=policy.connect_timeout),
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            follow_redirects=True,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def get(self, url: str, params: dict[str, Any] | None, parse: Callable[[bytes], T]) -> T:
        """Fetch `url` and return `parse(body)`; retry transient failures, else SourceError."""
        retrying = Retrying(
            stop=stop_after_attempt(self.policy.attempts),
            wait=self._wait,
            retry=retry_if_exception_type(Transient),
            sleep=self.clock.sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return parse(self._fetch(url, params))
        except Transient as exc:
            raise SourceError(
                f"{self.name}: gave up after {self.policy.attempts} attempt{'s' if self.policy.attempts != 1 else ''} "
                f"({exc}) at {_where(url)}"
            ) from None
        raise AssertionError("unreachable")

    def _fetch(self, url: str, params: dict[str, Any] | None) -> bytes:
        with self.pacer:
            self.requests += 1
            deadline = time.monotonic() + self.policy.timeout
            try:
                with self._http.stream("GET", url, params=params) as response:
                    if response.status_code in RETRY_STATUSES:
                        wait = retry_after_seconds(response.headers.get("Retry-After"))
                        if wait is not None and wait > self.policy.max_wait:
                            raise SourceError(
                                f"{self.name}: HTTP {response.status_code}, asked to wait {wait:.0f} s "
                                f"(more than {self.policy.max_wait:.0f} s); try again later"
                            )
                        raise Transient(f"HTTP {response.status_code}", wait)
                    if response.status_code >= 400:
                        raise SourceError(f"{self.name}: HTTP {response.status_code} from {_where(url)}")
                    chunks, size = [], 0
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > self.policy.max_bytes:
                            raise SourceError(f"{self.name}: response larger than {self.policy.max_bytes} bytes")
                        if time.monotonic() > deadline:
                            raise Transient(f"no complete response within {self.policy.timeout:.0f} s")
                        chunks.append(chunk)
                    return b"".join(chunks)
            except httpx.TimeoutException:
                raise Transient(f"timed out after {self.policy.timeout:.0f} s") from None
            except httpx.TransportError as exc:
                raise Transient(f"connection failed: {type(exc).__name__}") from None

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, Transient) and exc.retry_after is not None:
            return exc.retry_after
        base = self.policy.backoff * 2 ** (state.attempt_number - 1)
        return min(self.policy.max_wait, base * random.uniform(1.0, 1.25))

    def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0
        log.warning("%s: %s; retrying in %.1f s (attempt %d)", self.name, exc, wait, state.attempt_number + 1)


def _where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}"
