"""Self-signed TLS for the emulator: kubectl only sends bearer tokens over HTTPS
(kubernetes/kubectl#744), so ``--tls`` serves HTTPS with a fresh certificate for
127.0.0.1/localhost, and the kubeconfig carries it as ``certificate-authority-data``."""

from __future__ import annotations

import os
import ssl
import subprocess

from .client_certs import request_any_client_certificate


def make_certificate(directory: str, host: str) -> tuple[str, str]:
    """Create ``tls.crt``/``tls.key`` (self-signed, SAN for host, 127.0.0.1, localhost) with openssl."""
    os.makedirs(directory, exist_ok=True)
    cert, key = os.path.join(directory, "tls.crt"), os.path.join(directory, "tls.key")
    sans = ["DNS:localhost", "IP:127.0.0.1"]
    if host not in ("127.0.0.1", "localhost", "0.0.0.0"):
        sans.append(("IP:" if host.replace(".", "").isdigit() else "DNS:") + host)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "7", "-subj", "/CN=kube-emulator",
                    "-addext", "subjectAltName=" + ",".join(sans), "-addext", "basicConstraints=critical,CA:TRUE",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


def server_context(cert: str, key: str, request_client_certificates: bool = False) -> ssl.SSLContext:
    """A server-side TLS context offering HTTP/1.1 only; optionally asking for client certificates
    (judged later by the authenticator, see ``client_certs``)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.set_alpn_protocols(["http/1.1"])
    if request_client_certificates:
        request_any_client_certificate(ctx)
    return ctx
