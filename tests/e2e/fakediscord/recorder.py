"""Recording of REST calls and problems, plus queued fault injections."""

from __future__ import annotations

import fnmatch
import time
from dataclasses import dataclass, field
from typing import Any

from .util import Reply

# Problem kinds the pytest harness fails on by default.
FATAL_KINDS = ("unhandled", "limit", "invalid_command", "late_ack", "double_ack", "emulator_error",
               "followup_before_ack", "invalid_callback")


@dataclass
class UploadedFile:
    """A multipart file part (`files[n]`)."""

    field: str
    filename: str
    content_type: str | None
    data: bytes


@dataclass
class RestCall:
    """One HTTP request the bot made (path is relative to /api/v10)."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    t: float  # loop.time() when received
    files: list[UploadedFile] = field(default_factory=list)
    status: int | None = None
    response: Any = None
    wall: float = field(default_factory=time.time)

    def __repr__(self) -> str:
        return f"<RestCall {self.method} {self.path} -> {self.status}>"


@dataclass
class Problem:
    """Something a real Discord would reject or that the bot should never do."""

    kind: str
    detail: str
    call: RestCall | None = None

    def __str__(self) -> str:
        where = f" [{self.call.method} {self.call.path}]" if self.call else ""
        return f"{self.kind}: {self.detail}{where}"


@dataclass
class Fault:
    """A canned error answered instead of the real handler for the next `times` matching calls."""

    method: str
    path_glob: str
    reply: Reply
    times: int = 1
    after_handling: bool = False  # the real handler runs first (e.g. a 500 after the message was stored)

    def matches(self, call: RestCall) -> bool:
        return (self.method in ("*", call.method)) and fnmatch.fnmatchcase(call.path, self.path_glob)


def rate_limit_reply(retry_after: float, *, is_global: bool = False, bucket: str = "fakediscord-bucket") -> Reply:
    """A Discord-shaped 429: Via header (else discord.py assumes a Cloudflare ban), full X-RateLimit-* set."""
    now = time.time()
    headers = {
        "Via": "1.1 google", "Retry-After": str(max(1, int(retry_after + 0.999))),
        "X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": f"{now + retry_after:.3f}",
        "X-RateLimit-Reset-After": f"{retry_after:.3f}", "X-RateLimit-Bucket": bucket,
        "X-RateLimit-Scope": "global" if is_global else "user",
    }
    if is_global:
        headers["X-RateLimit-Global"] = "true"
    body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": is_global,
            "code": 0}
    return Reply(429, body, headers)


class Recorder:
    def __init__(self) -> None:
        self.calls: list[RestCall] = []
        self.problems: list[Problem] = []
        self.faults: list[Fault] = []

    def problem(self, kind: str, detail: str, call: RestCall | None = None) -> Problem:
        p = Problem(kind, detail, call)
        self.problems.append(p)
        return p

    def take_fault(self, call: RestCall) -> Fault | None:
        for fault in self.faults:
            if fault.matches(call):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def select(self, method: str | None = None, path_glob: str | None = None) -> list[RestCall]:
        return [c for c in self.calls if (method is None or c.method == method.upper())
                and (path_glob is None or fnmatch.fnmatchcase(c.path, path_glob))]

    def tail(self, n: int = 12) -> str:
        return "\n".join(f"  {c.method} {c.path} -> {c.status}" for c in self.calls[-n:]) or "  (no REST calls)"
