"""Bearer-token authentication and a small RBAC-like authorizer.

Tokens map to identities; each identity has rules (``verbs``, ``apiGroups``,
``resources``, ``namespaces``; ``*`` matches all). Without any token configured
every request is allowed as ``system:anonymous``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError

ALLOW_ALL = [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"], "namespaces": ["*"]}]


@dataclass
class Identity:
    """A user: name, groups and the rules it is allowed."""

    user: str
    groups: list[str] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=lambda: list(ALLOW_ALL))


def _has(values: list[str] | None, value: str) -> bool:
    return values is None or "*" in values or value in values


class Auth:
    """Token registry with run-time changes (add tokens, reject tokens)."""

    def __init__(self, token: str | None = None) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, Identity] = {}
        self._rejected: set[str] = set()
        if token:
            self._tokens[token] = Identity("admin", ["system:masters"])

    def add_token(self, token: str, identity: Identity) -> None:
        """Map ``token`` to ``identity`` (turns authentication on)."""
        with self._lock:
            self._tokens[token] = identity

    def reject(self, token: str, rejected: bool = True) -> None:
        """Fault: make a valid token fail with 401 (or stop doing so)."""
        with self._lock:
            (self._rejected.add if rejected else self._rejected.discard)(token)

    def clear_rejections(self) -> None:
        with self._lock:
            self._rejected.clear()

    def authenticate(self, authorization: str | None) -> Identity:
        """Return the identity for an ``Authorization`` header; 401 if required and missing/wrong."""
        with self._lock:
            if not self._tokens:
                return Identity("system:anonymous", ["system:unauthenticated"])
            token = authorization[7:].strip() if authorization and authorization.lower().startswith("bearer ") else None
            if token is None or token not in self._tokens or token in self._rejected:
                raise ApiError(401, "Unauthorized", "Unauthorized")
            return self._tokens[token]

    @staticmethod
    def authorize(identity: Identity, verb: str, group: str, plural: str, namespace: str, name: str,
                  subresource: str = "") -> None:
        """Raise 403 Forbidden unless one of the identity's rules allows the request."""
        resource = f"{plural}/{subresource}" if subresource else plural
        for rule in identity.rules:
            if (_has(rule.get("verbs"), verb) and _has(rule.get("apiGroups"), group)
                    and (_has(rule.get("resources"), resource) or _has(rule.get("resources"), plural) and not subresource)
                    and (not namespace or _has(rule.get("namespaces"), namespace))
                    and (not name or _has(rule.get("resourceNames"), name))):
                return
        ref = f"{plural}.{group}" if group else plural
        subject = f'{ref} "{name}"' if name else ref
        where = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
        sub = f'/{subresource}' if subresource else ""
        raise ApiError(403, f'{subject} is forbidden: User "{identity.user}" cannot {verb} resource "{plural}{sub}" '
                            f'in API group "{group}"{where}', "Forbidden",
                       {"name": name, "group": group, "kind": plural})
