"""A simple real rate limit per route, as Discord answers it.

Every bot-authenticated route has a bucket per major parameter (the channel,
guild or webhook in its path): at most `limit` requests per `window` seconds,
counted from the window's first request. Each answer carries the
`X-RateLimit-*` headers discord.py reads (Limit, Remaining, Reset,
Reset-After, Bucket), so a well-behaved client waits before it runs out; a
request over the limit gets a 429 with `retry_after` (and the Via header that
tells discord.py it is Discord's, not Cloudflare's). Real Discord allows 5
messages per 5 s per channel; the default window is shorter so tests stay
fast, and a test can tighten it: `fd.rate_limits.limit = 2`.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from .recorder import rate_limit_reply
from .util import Reply

MAJOR_PARAMETERS = ("channel_id", "guild_id", "webhook_id")


@dataclass
class _Window:
    start: float
    count: int = 0


class RateLimits:
    def __init__(self, limit: int = 5, window: float = 1.0) -> None:
        self.limit, self.window = limit, window  # limit 0: no rate limit
        self._windows: dict[tuple[str, str], _Window] = {}
        self.limited: list[str] = []  # "POST /channels/{channel_id}/messages" for each 429 answered

    @staticmethod
    def bucket(route: str) -> str:
        """The bucket hash of a route, the same for every channel (as Discord's)."""
        return hashlib.blake2s(route.encode(), digest_size=8).hexdigest()

    def take(self, method: str, template: str, params: dict[str, str], now: float) -> tuple[Reply | None, dict[str, str]]:
        """Count a request: (a 429 to answer instead, or None; the headers for the answer)."""
        if self.limit <= 0:
            return None, {}
        route = f"{method} {template}"
        major = next((params[k] for k in MAJOR_PARAMETERS if k in params), "")
        window = self._windows.get((route, major))
        if window is None or now - window.start >= self.window:
            window = self._windows[(route, major)] = _Window(now)
        reset_after = max(window.start + self.window - now, 0.001)
        if window.count >= self.limit:
            self.limited.append(route)
            reply = rate_limit_reply(reset_after, bucket=self.bucket(route))
            reply.headers["X-RateLimit-Limit"] = str(self.limit)
            return reply, {}
        window.count += 1
        return None, {
            "X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(self.limit - window.count),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}", "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": self.bucket(route),
        }
