"""How discord.py reaches the emulator.

Option B (default, "tls"): nothing in discord.py is patched. The bot gets a public `connector=`
(`bot.http.connector`) whose resolver maps discord.com / gateway.discord.gg to 127.0.0.1:<port>
and whose SSL context trusts a throwaway `trustme` CA. Any other host fails at DNS time, so the
resolver doubles as a network firewall.

Option A ("plain"): patch `discord.http.Route.BASE` and `DiscordWebSocket.DEFAULT_GATEWAY`
(process-global; `patch_discord_urls` restores them).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
from collections.abc import Iterator
from functools import lru_cache

import aiohttp
import yarl
from aiohttp.abc import AbstractResolver, ResolveResult

API_HOST = "discord.com"
GATEWAY_HOST = "gateway.discord.gg"
LOOPBACK_HOSTS = (API_HOST, GATEWAY_HOST)


@lru_cache(maxsize=1)
def _certs() -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server context, client context), generated once per process; no network needed."""
    import trustme

    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*LOOPBACK_HOSTS).configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    return server_ctx, client_ctx


def server_ssl_context() -> ssl.SSLContext:
    return _certs()[0]


class LoopbackResolver(AbstractResolver):
    """Resolves only Discord's API/gateway hosts, to the emulator; everything else is refused."""

    def __init__(self, port: int, hosts: tuple[str, ...] = LOOPBACK_HOSTS) -> None:
        self.port, self.hosts = port, hosts

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
                      ) -> list[ResolveResult]:
        if host not in self.hosts:
            raise OSError(f"fakediscord: blocked network access to {host!r} (only {self.hosts} are emulated)")
        return [ResolveResult(hostname=host, host="127.0.0.1", port=self.port, family=socket.AF_INET,
                              proto=0, flags=socket.AI_NUMERICHOST)]

    async def close(self) -> None:
        return None


def loopback_connector(port: int) -> aiohttp.TCPConnector:
    """Option B connector. Must be created inside the running event loop (and used by one client)."""
    return aiohttp.TCPConnector(limit=0, resolver=LoopbackResolver(port), ssl=_certs()[1], use_dns_cache=False)


@contextlib.contextmanager
def patch_discord_urls(api_base: str, gateway_url: str) -> Iterator[None]:
    """Option A: point discord.py's REST base and default gateway at the emulator, then restore."""
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    old_base, old_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    try:
        yield
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = old_base, old_gateway
