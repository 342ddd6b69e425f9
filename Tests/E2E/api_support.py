"""Helpers for the API's end-to-end tests: a local OIDC issuer (discovery + JWKS served by the test),
tokens minted with PyJWT, and `pybak serve` / `pybak daemon --listen` started on a free loopback port."""
import base64
import hashlib
import hmac
import json
import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

AUDIENCE = "pybak-api"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Issuer:
    """Serves /.well-known/openid-configuration and /jwks on loopback and mints tokens."""

    def __init__(self):
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec = ec.generate_private_key(ec.SECP256R1())
        self.jwks_fetches = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def jwks(self):
        r = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.rsa.public_key()))
        r.update(kid="rsa-1", use="sig", alg="RS256")
        e = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.ec.public_key()))
        e.update(kid="ec-1", use="sig", alg="ES256")
        return {"keys": [r, e]}

    def _handler(self):
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": issuer.url, "jwks_uri": issuer.url + "/jwks"}
                elif self.path == "/jwks":
                    issuer.jwks_fetches += 1
                    body = issuer.jwks()
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler

    def claims(self, **changes):
        now = int(time.time())
        base = {"iss": self.url, "aud": AUDIENCE, "sub": "alice", "iat": now, "exp": now + 600, "scope": "pybak.read pybak.trigger"}
        base.update(changes)
        return {k: v for k, v in base.items() if v is not None}

    def token(self, alg="RS256", kid=None, key=None, **changes):
        if alg == "RS256":
            return jwt.encode(self.claims(**changes), key or self.rsa, algorithm="RS256", headers={"kid": kid or "rsa-1"})
        return jwt.encode(self.claims(**changes), key or self.ec, algorithm="ES256", headers={"kid": kid or "ec-1"})

    def unsigned_token(self):
        header = b64(json.dumps({"alg": "none", "typ": "JWT", "kid": "rsa-1"}).encode())
        return f"{header}.{b64(json.dumps(self.claims()).encode())}."

    def hs256_with_public_key(self):
        secret = self.rsa.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}).encode())
        body = b64(json.dumps(self.claims()).encode())
        return f"{header}.{body}.{b64(hmac.new(secret, f'{header}.{body}'.encode(), hashlib.sha256).digest())}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)


def request(base, path, method="GET", token=None, body=None, headers=None, timeout=30):
    req = urllib.request.Request(base + path, method=method, data=body)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    if token is not None:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return Response(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        return Response(e.code, e.headers, e.read())


class Server:
    """A pybak process serving the API; stopped with SIGTERM at the end."""

    def __init__(self, pybak, args, env=None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("PYBAK_")}
        full_env.update(env or {})
        self.proc = subprocess.Popen(
            [pybak, *args, "--listen", f"127.0.0.1:{self.port}"], env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"pybak exited {self.proc.returncode}: {self.proc.stderr.read()}")
            try:
                if request(self.base, "/healthz", timeout=2).status == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("pybak did not answer /healthz within 30 s")

    def stop(self):
        self.proc.terminate()
        try:
            _, err = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return self.proc.returncode, err
