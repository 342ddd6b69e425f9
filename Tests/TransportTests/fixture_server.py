"""A small real HTTP server for the Transport tests (Python's http.server, HTTP/1.1).

Prints its port on stdout, then serves until killed:
  ANY  /echo             -> 200, JSON {method, headers, length, sha256} of what arrived
  GET  /flaky/<key>/<n>  -> 503 (Retry-After: 0) for the first n requests per key, then 200 "ok"
  GET  /busy             -> 429 with Retry-After: 1 and a JSON error
  GET  /s3error          -> 403 with an S3-style XML error
  GET  /slow             -> sleeps 5 s before answering
  GET  /big/<n>          -> n bytes
  GET  /stream/<n>       -> n JSON lines sent one by one in small chunks (chunked encoding)
  GET  /hang             -> sends headers and one line, then waits forever (watch-like)
"""
import hashlib
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

counts = {}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="application/json", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        parts = self.path.split("?")[0].strip("/").split("/")
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length else b""
        if parts[0] == "echo":
            doc = {"method": self.command, "headers": {k.lower(): v for k, v in self.headers.items()},
                   "length": len(data), "sha256": hashlib.sha256(data).hexdigest(), "query": self.path.partition("?")[2]}
            self.reply(200, json.dumps(doc).encode())
        elif parts[0] == "flaky":
            key, failures = parts[1], int(parts[2])
            with lock:
                counts[key] = counts.get(key, 0) + 1
                n = counts[key]
            if n <= failures:
                self.reply(503, b'{"error": {"message": "try again"}}', extra=[("Retry-After", "0")])
            else:
                self.reply(200, f"ok after {n}".encode(), "text/plain")
        elif parts[0] == "busy":
            self.reply(429, b'{"kind":"Status","message":"too many requests, slow down","reason":"TooManyRequests"}',
                       extra=[("Retry-After", "1")])
        elif parts[0] == "s3error":
            self.reply(403, b"<?xml version='1.0'?><Error><Code>SignatureDoesNotMatch</Code>"
                            b"<Message>The request signature we calculated does not match</Message></Error>",
                       "application/xml")
        elif parts[0] == "slow":
            time.sleep(5)
            self.reply(200, b"late", "text/plain")
        elif parts[0] == "big":
            self.reply(200, b"x" * int(parts[1]), "application/octet-stream")
        elif parts[0] in ("stream", "hang"):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            lines = int(parts[1]) if parts[0] == "stream" else 1
            for i in range(lines):
                line = json.dumps({"type": "ADDED", "n": i}).encode() + b"\n"
                # Split each line across two chunks so the client must reassemble across boundaries.
                for piece in (line[:7], line[7:]):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.flush()
            if parts[0] == "hang":
                time.sleep(3600)
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.reply(404, b'{"message": "no such fixture"}')

    do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = do_HEAD = handle_any


def exit_with_parent():
    """The test process holds our stdin open; when it ends, so do we."""
    sys.stdin.read()
    import os
    os._exit(0)


threading.Thread(target=exit_with_parent, daemon=True).start()
class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """Clients that end a stream early reset the connection; that is expected here."""
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


server = QuietServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
