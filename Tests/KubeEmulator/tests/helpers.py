"""Test helpers: a tiny JSON HTTP client and a watch-stream reader for the emulator."""

from __future__ import annotations

import http.client
import json
import os
import socket
import time
from typing import Any
from urllib.parse import urlsplit

import yaml

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
BKP = "/apis/pybak.io/v1alpha1/namespaces/default/backuppolicies"


def load_fixture(name: str) -> Any:
    with open(os.path.join(FIXTURES, name)) as fh:
        return yaml.safe_load(fh)


class Reply:
    """An HTTP response: status, headers (lower-case keys; lists for repeats), parsed body."""

    def __init__(self, status: int, headers: list[tuple[str, str]], raw: bytes) -> None:
        self.status = status
        self.raw = raw
        self.headers: dict[str, str] = {}
        self.all_headers: dict[str, list[str]] = {}
        for k, v in headers:
            self.headers[k.lower()] = v
            self.all_headers.setdefault(k.lower(), []).append(v)
        try:
            self.body = json.loads(raw) if raw else None
        except ValueError:
            self.body = raw.decode(errors="replace")

    def __repr__(self) -> str:
        return f"Reply({self.status}, {self.body!r})"


class Client:
    """Minimal JSON client for the emulator (one connection per request)."""

    def __init__(self, url: str, token: str | None = None, ssl_context: Any = None) -> None:
        parts = urlsplit(url)
        self.ssl_context = ssl_context
        self.host, self.port = parts.hostname, parts.port
        self.url = url
        self.token = token

    def request(self, method: str, path: str, body: Any = None, content_type: str = "application/json",
                headers: dict[str, str] | None = None, token: str | None = "default") -> Reply:
        conn = (http.client.HTTPSConnection(self.host, self.port, timeout=30, context=self.ssl_context)
                if self.url.startswith("https") else http.client.HTTPConnection(self.host, self.port, timeout=30))
        hdrs = dict(headers or {})
        tok = self.token if token == "default" else token
        if tok:
            hdrs["Authorization"] = f"Bearer {tok}"
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else (body if isinstance(body, str) else json.dumps(body)).encode()
            hdrs["Content-Type"] = content_type
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        reply = Reply(resp.status, resp.getheaders(), resp.read())
        conn.close()
        return reply

    def get(self, path: str, **kw: Any) -> Reply:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any, **kw: Any) -> Reply:
        return self.request("POST", path, body, **kw)

    def put(self, path: str, body: Any, **kw: Any) -> Reply:
        return self.request("PUT", path, body, **kw)

    def patch(self, path: str, body: Any, content_type: str = "application/merge-patch+json", **kw: Any) -> Reply:
        return self.request("PATCH", path, body, content_type=content_type, **kw)

    def delete(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.request("DELETE", path, body, **kw)

    def admin(self, path: str, body: Any = None, method: str = "POST") -> Reply:
        return self.request(method, f"/_emulator/{path}", body if body is not None else {}, token=None)

    def watch(self, path: str, headers: dict[str, str] | None = None) -> "WatchStream":
        return WatchStream(self, path, headers or {})


class WatchStream:
    """Reads newline-delimited JSON events from a chunked watch response over a raw socket,
    so that a stream cut without its final chunk can be told from a clean end."""

    def __init__(self, client: Client, path: str, headers: dict[str, str]) -> None:
        self.sock = socket.create_connection((client.host, client.port), timeout=10)
        hdrs = {"Host": f"{client.host}:{client.port}", "Accept": "application/json", **headers}
        if client.token:
            hdrs["Authorization"] = f"Bearer {client.token}"
        head = f"GET {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hdrs.items()) + "\r\n"
        self.sock.sendall(head.encode())
        self.buf = b""
        status_line = self._line()
        self.status = int(status_line.split()[1])
        self.headers: dict[str, str] = {}
        while True:
            line = self._line()
            if not line:
                break
            k, _, v = line.decode().partition(":")
            self.headers[k.strip().lower()] = v.strip()
        self.chunked = self.headers.get("transfer-encoding") == "chunked"
        self.pending = b""
        self.closed_cleanly: bool | None = None

    def _fill(self) -> bool:
        data = self.sock.recv(65536)
        if not data:
            return False
        self.buf += data
        return True

    def _line(self) -> bytes:
        while b"\r\n" not in self.buf:
            if not self._fill():
                raise EOFError
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line

    def _exact(self, n: int) -> bytes:
        while len(self.buf) < n:
            if not self._fill():
                raise EOFError
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def next(self, timeout: float = 5.0) -> dict[str, Any] | None:
        """Return the next event, or None when the stream ends (sets ``closed_cleanly``)."""
        if self.closed_cleanly is not None:
            return None
        self.sock.settimeout(timeout)
        try:
            while b"\n" not in self.pending:
                if not self.chunked:
                    raise EOFError
                size = int(self._line().split(b";")[0], 16)
                if size == 0:
                    self._line()
                    self.closed_cleanly = True
                    return None
                self.pending += self._exact(size)
                self._line()
        except (EOFError, ConnectionError):
            self.closed_cleanly = False
            return None
        line, _, self.pending = self.pending.partition(b"\n")
        return json.loads(line)

    def collect(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        out = []
        deadline = time.monotonic() + timeout
        while len(out) < count:
            ev = self.next(max(0.1, deadline - time.monotonic()))
            if ev is None:
                break
            out.append(ev)
        return out

    def close(self) -> None:
        self.sock.close()


def policy(name: str, **spec: Any) -> dict[str, Any]:
    """A valid BackupPolicy body."""
    body = {"source": {"path": "in/"}, "destination": {"path": "out/"}}
    body.update(spec)
    return {"apiVersion": "pybak.io/v1alpha1", "kind": "BackupPolicy", "metadata": {"name": name}, "spec": body}


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.05):
    """Poll ``predicate`` until it returns a truthy value; return it (or fail after timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)
