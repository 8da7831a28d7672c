"""The polite HTTP client over real HTTP: retries, Retry-After, timeouts, resets, pacing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from recommender.ingest.errors import SourceError
from recommender.ingest.http import HttpPolicy, retry_after_seconds
from tests.support.httpserver import Reply, Reset, Stall, Truncate
from tests.support.sources import FAST, FakeClock, make_client

OK = Reply(b"fine")


def body(data: bytes) -> bytes:
    return data


def test_429_with_retry_after_is_honoured_then_succeeds(server) -> None:
    server.route("/x", Reply(b"slow down", 429, {"Retry-After": "7"}), OK)
    clock = FakeClock()
    with make_client(FAST, clock) as client:
        assert client.get(server.url("/x"), None, body) == b"fine"
    assert len(server.hits("/x")) == 2
    assert 7.0 in clock.sleeps  # waited exactly what the server asked


def test_retry_after_as_http_date() -> None:
    now = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=42), usegmt=True), now) == 42
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("soon") is None


def test_503_then_success_backs_off(server) -> None:
    server.route("/x", Reply(b"busy", 503), Reply(b"busy", 503), OK)
    clock = FakeClock()
    with make_client(FAST, clock) as client:
        assert client.get(server.url("/x"), None, body) == b"fine"
    waits = [s for s in clock.sleeps if s > 0]
    assert len(server.hits("/x")) == 3 and len(waits) == 2 and waits[1] > waits[0]


def test_timeout_then_success(server) -> None:
    server.route("/x", Stall(3.0, OK), OK)
    policy = HttpPolicy(min_interval=0, timeout=0.3, connect_timeout=0.3, attempts=3, backoff=0.01)
    with make_client(policy) as client:
        assert client.get(server.url("/x"), None, body) == b"fine"
    assert len(server.hits("/x")) == 2


def test_connection_reset_then_success(server) -> None:
    server.route("/x", Reset(), OK)
    with make_client() as client:
        assert client.get(server.url("/x"), None, body) == b"fine"


def test_body_cut_short_is_retried(server) -> None:
    server.route("/x", Truncate(b"0123456789" * 100, 50), OK)
    with make_client() as client:
        assert client.get(server.url("/x"), None, body) == b"fine"


def test_gives_up_with_a_clear_error(server) -> None:
    server.route("/x", Reply(b"busy", 503))
    with make_client() as client, pytest.raises(SourceError, match=r"arXiv: gave up after 3 attempts \(HTTP 503\)"):
        client.get(server.url("/x"), None, body)
    assert len(server.hits("/x")) == 3


def test_retry_after_beyond_the_limit_fails_at_once(server) -> None:
    server.route("/x", Reply(b"come back tomorrow", 429, {"Retry-After": "86400"}))
    with make_client() as client, pytest.raises(SourceError, match="asked to wait 86400 s"):
        client.get(server.url("/x"), None, body)
    assert len(server.hits("/x")) == 1


def test_client_errors_are_not_retried(server) -> None:
    server.route("/x", Reply(b"no", 400))
    with make_client() as client, pytest.raises(SourceError, match="HTTP 400"):
        client.get(server.url("/x"), None, body)
    assert len(server.hits("/x")) == 1


def test_default_policy_paces_three_seconds_apart(server) -> None:
    """The defaults obey arXiv's terms: a 3 s gap between requests (on an injected clock)."""
    server.route("/x", OK)
    clock = FakeClock()
    with make_client(HttpPolicy(), clock) as client:
        for _ in range(3):
            client.get(server.url("/x"), None, body)
    assert clock.sleeps == [pytest.approx(3.0), pytest.approx(3.0)]


def test_real_pacing_one_connection_and_user_agent(server) -> None:
    server.route("/x", OK)
    with make_client(HttpPolicy(min_interval=0.2, timeout=2, attempts=1)) as client:
        for _ in range(3):
            client.get(server.url("/x"), None, body)
    hits = server.hits("/x")
    gaps = [b.at - a.at for a, b in zip(hits, hits[1:], strict=False)]
    assert all(g >= 0.19 for g in gaps), gaps
    assert len({h.peer for h in hits}) == 1  # one keep-alive connection
    assert hits[0].headers["User-Agent"].startswith("paperbot")
