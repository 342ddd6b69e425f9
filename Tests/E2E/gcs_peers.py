"""Real peers for the GCS tests, started and stopped by the tests on loopback: gcp-storage-emulator (the JSON
API; it accepts any bearer token), a local OAuth 2 token endpoint that verifies the service account's JWT with
PyJWT and the account's public key, and a proxy that cuts one resumable-upload chunk mid-body."""
import json
import shutil
import socket
import subprocess
import threading
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from cloud_peers import free_port, stop_process, wait_for_port
from fault_proxy import FaultProxy

SCOPE = "https://www.googleapis.com/auth/devstorage.read_write"


class Emulator:
    """gcp-storage-emulator in memory, with the bucket `pybak-test`."""

    def __init__(self, tmp: Path):
        exe = shutil.which("gcp-storage-emulator")
        if exe is None:
            raise RuntimeError("gcp-storage-emulator is not installed: pip install gcp-storage-emulator==2026.7.19 (.ci/setup does)")
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.bucket = "pybak-test"
        self.log = open(tmp / "gcs-emulator.log", "w")
        self.proc = subprocess.Popen([exe, "start", "--host", "127.0.0.1", "--port", str(self.port), "--in-memory",
                                      "--default-bucket", self.bucket], stdout=self.log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.proc, "gcp-storage-emulator")

    def names(self, prefix="") -> list:
        url = f"{self.endpoint}/storage/v1/b/{self.bucket}/o?prefix={urllib.parse.quote(prefix, safe='')}"
        return [item["name"] for item in json.load(urllib.request.urlopen(url)).get("items", [])]

    def metadata(self, name: str) -> dict:
        return json.load(urllib.request.urlopen(f"{self.endpoint}/storage/v1/b/{self.bucket}/o/{urllib.parse.quote(name, safe='')}"))

    def download(self, name: str) -> bytes:
        return urllib.request.urlopen(f"{self.endpoint}/storage/v1/b/{self.bucket}/o/{urllib.parse.quote(name, safe='')}?alt=media").read()

    def objects(self, prefix="") -> dict:
        return {name: self.download(name) for name in self.names(prefix)}

    def stop(self):
        stop_process(self.proc, self.log)


def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()


class TokenServer:
    """An OAuth 2 token endpoint for one service account: it accepts only a jwt-bearer grant whose RS256 JWT
    verifies with the account's public key and names the account, the scope and this endpoint."""

    email = "pybak@test-project.iam.gserviceaccount.com"

    def __init__(self):
        self.key = rsa_key()
        self.public = self.key.public_key()
        self.minted = 0
        self.refused = []
        self.claims = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                form = urllib.parse.parse_qs(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode())
                status, doc = server.answer(form)
                body = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/token"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, form):
        if form.get("grant_type") != ["urn:ietf:params:oauth:grant-type:jwt-bearer"]:
            return 400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"}
        try:
            claims = jwt.decode(form["assertion"][0], self.public, algorithms=["RS256"], audience=self.url, issuer=self.email)
        except (jwt.InvalidTokenError, KeyError) as error:
            self.refused.append(str(error))
            return 400, {"error": "invalid_grant", "error_description": f"Invalid JWT Signature. ({error})"}
        if claims.get("scope") != SCOPE or claims["exp"] - claims["iat"] > 3600:
            return 400, {"error": "invalid_scope", "error_description": "bad scope or lifetime"}
        self.claims.append(claims)
        self.minted += 1
        return 200, {"access_token": f"ya29.test-{self.minted}", "expires_in": 3599, "token_type": "Bearer"}

    def key_file(self, folder: Path, key=None) -> Path:
        """A service-account JSON key; `key` signs instead of the account's real key (a wrong key)."""
        path = folder / "sa.json"
        path.write_text(json.dumps({
            "type": "service_account", "project_id": "test-project", "private_key_id": "kid-1",
            "private_key": pem(key or self.key), "client_email": self.email, "client_id": "1",
            "token_uri": self.url,
        }))
        return path

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class CutProxy(FaultProxy):
    """Forwards to the emulator; the `cut_chunk`-th resumable chunk (a PUT with `Content-Range: bytes A-B/T`) is
    read halfway and then the connection is closed without an answer, as a dropped link would."""

    def __init__(self, upstream_port: int, cut_chunk: int = 2):
        self.cut_chunk = cut_chunk
        self.chunks = 0
        self.cut = 0
        self.status_queries = 0
        super().__init__(upstream_port, intercept=self.maybe_cut)

    def maybe_cut(self, handler, length: int) -> bool:
        content_range = handler.headers.get("Content-Range") or ""
        if handler.command != "PUT" or not content_range.startswith("bytes "):
            return False
        with self.lock:
            if content_range.startswith("bytes */"):
                self.status_queries += 1
                return False
            self.chunks += 1
            if self.chunks != self.cut_chunk:
                return False
            self.cut += 1
        handler.rfile.read(length // 2)
        handler.connection.shutdown(socket.SHUT_RDWR)
        handler.close_connection = True
        return True


@pytest.fixture
def gcs(tmp_path):
    emulator = Emulator(tmp_path)
    yield emulator
    emulator.stop()


@pytest.fixture
def token_server():
    server = TokenServer()
    yield server
    server.stop()
