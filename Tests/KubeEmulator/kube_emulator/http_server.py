"""The HTTP/1.1 transport: a threading server whose handler turns each request
into a ``Request``, asks the application for a ``Response`` and writes it,
streaming chunked bodies for watches."""

from __future__ import annotations

import json
import socket
import sys
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator
from urllib.parse import parse_qs, urlsplit

from .watch import DropConnection


@dataclass
class Request:
    """One HTTP request as the application sees it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    client_cert: bytes | None = None  # the TLS client certificate (DER), unverified

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)


@dataclass
class Response:
    """A complete response, or a streamed one when ``stream`` yields JSON-able events."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    stream: Iterator[dict[str, Any]] | None = None
    raw: bytes | None = None
    content_type: str = "application/json"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kube-emulator"
    sys_version = ""

    def log_message(self, fmt: str, *args: Any) -> None:  # quiet unless asked
        if getattr(self.server, "verbose", False):
            sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = self._read_chunked()
        peer = getattr(self.connection, "getpeercert", None)
        client_cert = peer(binary_form=True) if peer else None
        req = Request(self.command, parts.path, query, {k.lower(): v for k, v in self.headers.items()}, body, client_cert)
        resp = self.server.app(req)  # type: ignore[attr-defined]
        self._write(resp)

    def _read_chunked(self) -> bytes:
        out = b""
        while True:
            size = int(self.rfile.readline().strip().split(b";")[0], 16)
            if size == 0:
                self.rfile.readline()
                return out
            out += self.rfile.read(size)
            self.rfile.readline()

    def _write(self, resp: Response) -> None:
        if resp.stream is not None:
            self._write_stream(resp)
            return
        data = resp.raw if resp.raw is not None else (json.dumps(resp.body).encode() if resp.body is not None else b"")
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache, private")
        for k, v in resp.headers.items():
            for value in (v if isinstance(v, list) else [v]):
                self.send_header(k, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _write_stream(self, resp: Response) -> None:
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache, private")
        for k, v in resp.headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.flush()
        try:
            for event in resp.stream:  # type: ignore[union-attr]
                line = json.dumps(event).encode() + b"\n"
                self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except DropConnection:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


class HttpServer(ThreadingHTTPServer):
    """Threading HTTP server bound to ``host:port`` (0 = any free port) serving ``app``."""

    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 overflows when parallel tests hit one emulator (connection resets).
    request_queue_size = 128

    def __init__(self, host: str, port: int, app: Callable[[Request], Response], verbose: bool = False,
                 ssl_context: Any = None) -> None:
        super().__init__((host, port), _Handler)
        if ssl_context is not None:
            # handshake lazily in the handler thread, so one slow client cannot block accept()
            self.socket = ssl_context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)
        self.app = app
        self.verbose = verbose

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (BrokenPipeError, ConnectionResetError, OSError)):
            return
        super().handle_error(request, client_address)
