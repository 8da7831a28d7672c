"""A real HTTP server on 127.0.0.1 that serves scripted responses and faults.

Each path has a queue of steps: a `Reply`, or a fault (`Reset`, `Stall`,
`Truncate`). The last step repeats once the queue is used up. A step may also
be a function of the request, for servers that answer by query (id_list, token).
Every request is logged with its query, headers and arrival time.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    at: float
    peer: tuple[str, int]


@dataclass
class Reply:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/xml; charset=utf-8"


@dataclass
class Reset:
    """Drop the connection (TCP RST) without answering."""


@dataclass
class Stall:
    """Wait `seconds` before answering (longer than the client's timeout)."""

    seconds: float
    then: Reply = field(default_factory=Reply)


@dataclass
class Truncate:
    """Promise the full body in Content-Length, send only `keep` bytes, then close."""

    body: bytes
    keep: int


Step = Reply | Reset | Stall | Truncate | Callable[[Request], "Reply | Reset | Stall | Truncate"]


class FaultServer:
    def __init__(self) -> None:
        self.routes: dict[str, list[Step]] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                request = Request(parts.path, query, dict(self.headers.items()), time.monotonic(), self.client_address[:2])
                step = server._next(request)
                while callable(step):
                    step = step(request)
                server._answer(self, step)

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: object, client_address: object) -> None:
                pass  # resets and cut bodies are the point here

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, *steps: Step) -> None:
        with self._lock:
            self.routes[path] = list(steps)

    def hits(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def _next(self, request: Request) -> Step:
        with self._lock:
            self.requests.append(request)
            steps = self.routes.get(request.path)
            if not steps:
                return Reply(b"<html><body>404 Not Found</body></html>", 404, content_type="text/html")
            return steps.pop(0) if len(steps) > 1 else steps[0]

    def _answer(self, handler: BaseHTTPRequestHandler, step: Reply | Reset | Stall | Truncate) -> None:
        if isinstance(step, Reset):
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            handler.connection.close()
            handler.close_connection = True
            return
        if isinstance(step, Stall):
            self._stop.wait(step.seconds)
            step = step.then
        if isinstance(step, Truncate):
            handler.send_response(200)
            handler.send_header("Content-Type", "application/xml")
            handler.send_header("Content-Length", str(len(step.body)))
            handler.end_headers()
            handler.wfile.write(step.body[: step.keep])
            handler.wfile.flush()
            handler.close_connection = True
            return
        handler.send_response(step.status)
        handler.send_header("Content-Type", step.content_type)
        handler.send_header("Content-Length", str(len(step.body)))
        for name, value in step.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        try:
            handler.wfile.write(step.body)
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True

    def close(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
