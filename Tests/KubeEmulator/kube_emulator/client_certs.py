"""Client-certificate (mutual TLS) authentication, as kube-apiserver does it with ``--client-ca-file``.

The real server asks every client for a certificate but does not let the TLS layer judge it (Go's
``tls.RequestClientCert``): the handshake succeeds with any certificate or none, and its x509
authenticator then maps a certificate that chains to the client CA to a user (subject CN) and groups
(subject O values). A missing or untrusted certificate is just "not authenticated by x509": other
credentials (a bearer token) may still authenticate the request, and otherwise it gets 401.

Python's ``ssl`` module has no verify callback, and ``CERT_OPTIONAL`` fails the handshake on an
untrusted certificate. So ``request_any_client_certificate`` installs an accept-everything verify
callback on the context's ``SSL_CTX`` through ctypes (checked against the context's own verify mode
before use), and ``ClientCertAuthenticator`` verifies the certificate afterwards with ``cryptography``.
"""

from __future__ import annotations

import ctypes
import datetime
import ssl

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_SSL_VERIFY_PEER = 1
_VERIFY_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_void_p)


def _libssl() -> ctypes.CDLL:
    """The libssl that Python's ``_ssl`` uses (its symbols are global once ``_ssl`` is loaded)."""
    for name in (ssl._ssl.__file__, "libssl.so.3", "libssl.so"):  # type: ignore[attr-defined]
        try:
            lib = ctypes.CDLL(name)
            lib.SSL_CTX_set_verify  # noqa: B018 (probe)
            return lib
        except (OSError, AttributeError):
            continue
    raise RuntimeError("cannot find libssl's SSL_CTX_set_verify for client-certificate requests")


def request_any_client_certificate(context: ssl.SSLContext) -> None:
    """Make ``context`` ask for a client certificate and accept any (or none) at the TLS layer."""
    lib = _libssl()
    lib.SSL_CTX_get_verify_mode.restype = ctypes.c_int
    lib.SSL_CTX_get_verify_mode.argtypes = [ctypes.c_void_p]
    lib.SSL_CTX_set_verify.restype = None
    lib.SSL_CTX_set_verify.argtypes = [ctypes.c_void_p, ctypes.c_int, _VERIFY_CALLBACK]
    # CPython's PySSLContext starts with PyObject_HEAD followed by its SSL_CTX pointer.
    pointer = ctypes.c_void_p.from_address(id(context) + object.__basicsize__).value
    for mode, expected in ((ssl.CERT_OPTIONAL, _SSL_VERIFY_PEER), (ssl.CERT_NONE, 0), (ssl.CERT_OPTIONAL, _SSL_VERIFY_PEER)):
        context.verify_mode = mode
        if not pointer or lib.SSL_CTX_get_verify_mode(pointer) != expected:
            raise RuntimeError("this Python's SSLContext layout is unknown; cannot request client certificates")
    callback = _VERIFY_CALLBACK(lambda preverify_ok, store: 1)
    context._pybak_verify_callback = callback  # type: ignore[attr-defined]  # keep it alive with the context
    lib.SSL_CTX_set_verify(pointer, _SSL_VERIFY_PEER, callback)


class ClientCertAuthenticator:
    """Maps a DER client certificate issued by one of the CA file's certificates to (user, groups)."""

    def __init__(self, ca_file: str) -> None:
        with open(ca_file, "rb") as fh:
            self.cas = x509.load_pem_x509_certificates(fh.read())
        if not self.cas:
            raise ValueError(f"{ca_file}: no PEM certificate in the client CA file")

    def authenticate(self, der: bytes | None) -> tuple[str, list[str]] | None:
        """``(user, groups)`` for a valid client certificate; None when absent, untrusted, expired or
        not meant for client authentication (the caller then tries other credentials, else 401)."""
        if not der:
            return None
        try:
            cert = x509.load_der_x509_certificate(der)
        except ValueError:
            return None
        now = datetime.datetime.now(datetime.timezone.utc)
        if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
            return None
        if not any(self._issued_by(cert, ca) for ca in self.cas):
            return None
        try:
            usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
            if ExtendedKeyUsageOID.CLIENT_AUTH not in usages and ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE not in usages:
                return None
        except x509.ExtensionNotFound:
            pass
        names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        if not names or not names[0].value:
            return None
        groups = [str(attribute.value) for attribute in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
        return str(names[0].value), groups

    @staticmethod
    def _issued_by(cert: x509.Certificate, ca: x509.Certificate) -> bool:
        if cert.issuer != ca.subject:
            return False
        try:
            cert.verify_directly_issued_by(ca)
        except (InvalidSignature, ValueError, TypeError):  # a bad signature, or a key type that cannot sign
            return False
        now = datetime.datetime.now(datetime.timezone.utc)
        return ca.not_valid_before_utc <= now <= ca.not_valid_after_utc
