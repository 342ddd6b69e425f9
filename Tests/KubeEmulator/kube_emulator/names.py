"""Name generation and validation (generateName suffixes, DNS-1123 names)."""

from __future__ import annotations

import random
import re
import uuid

_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # the apiserver's utilrand alphabet
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def random_suffix(length: int = 5) -> str:
    """Return a random suffix like the apiserver's generateName suffix."""
    return "".join(random.choice(_ALPHABET) for _ in range(length))


def new_uid() -> str:
    """Return a fresh object UID."""
    return str(uuid.uuid4())


def dns_subdomain_error(name: str) -> str | None:
    """Return why ``name`` is not a valid DNS-1123 subdomain, or None if it is."""
    if len(name) > 253:
        return "must be no more than 253 characters"
    if not _DNS_SUBDOMAIN.match(name):
        return ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                "and must start and end with an alphanumeric character")
    return None


def dns_label_error(name: str) -> str | None:
    """Return why ``name`` is not a valid DNS-1123 label (namespaces), or None."""
    if len(name) > 63:
        return "must be no more than 63 characters"
    if not _DNS_LABEL.match(name):
        return ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                "and must start and end with an alphanumeric character")
    return None
