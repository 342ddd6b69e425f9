"""Test certificates for client-certificate (mTLS) authentication, made with the openssl CLI.

``python3 -m kube_emulator.pki DIR [NAME=CN[/O=GROUP...]] ...`` writes into DIR:
- ``ca.crt``/``ca.key``: the client CA to pass as ``--client-ca``;
- ``NAME.crt``/``NAME.key`` for each NAME, issued by that CA for client authentication, subject
  ``CN=CN`` and one ``O=`` per group (the API server's user and groups);
- ``stranger.crt``/``stranger.key``: a client certificate (CN=admin, O=system:masters) issued by another
  CA, which the emulator must not trust.
Default names: ``admin=admin/O=system:masters`` and ``viewer=viewer/O=viewers``.
"""

from __future__ import annotations

import os
import subprocess
import sys

DEFAULT = ["admin=admin/O=system:masters", "viewer=viewer/O=viewers"]


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def make_ca(directory: str, name: str, subject: str) -> tuple[str, str]:
    """A self-signed CA ``NAME.crt``/``NAME.key``."""
    crt, key = os.path.join(directory, f"{name}.crt"), os.path.join(directory, f"{name}.key")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "7", "-subj", subject,
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             "-keyout", key, "-out", crt)
    return crt, key


def issue(directory: str, name: str, subject: str, ca: tuple[str, str]) -> tuple[str, str]:
    """A client certificate ``NAME.crt``/``NAME.key`` for ``subject`` (``/CN=x/O=y``) signed by ``ca``."""
    crt, key, csr = (os.path.join(directory, f"{name}.{ext}") for ext in ("crt", "key", "csr"))
    ext = os.path.join(directory, f"{name}.ext")
    with open(ext, "w") as fh:
        fh.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n")
    _openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", key, "-out", csr)
    _openssl("x509", "-req", "-in", csr, "-CA", ca[0], "-CAkey", ca[1], "-CAcreateserial", "-days", "2",
             "-extfile", ext, "-out", crt)
    os.remove(csr)
    os.remove(ext)
    return crt, key


def make(directory: str, specs: list[str] | None = None) -> dict[str, tuple[str, str]]:
    """The CA, the named client certificates and the stranger; returns ``{name: (crt, key)}``."""
    os.makedirs(directory, exist_ok=True)
    made = {"ca": make_ca(directory, "ca", "/CN=kube-emulator-client-ca")}
    for spec in specs or DEFAULT:
        name, _, subject = spec.partition("=")
        made[name] = issue(directory, name, "/CN=" + subject, made["ca"])
    other = make_ca(directory, "other-ca", "/CN=some-other-ca")
    made["stranger"] = issue(directory, "stranger", "/CN=admin/O=system:masters", other)
    return made


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    for name, (crt, _) in make(sys.argv[1], sys.argv[2:] or None).items():
        print(f"{name}={crt}")
