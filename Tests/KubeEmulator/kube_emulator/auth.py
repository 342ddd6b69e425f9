"""Bearer-token and client-certificate authentication and a small RBAC-like authorizer.

Tokens map to identities; each identity has rules (``verbs``, ``apiGroups``,
``resources``, ``namespaces``; ``*`` matches all). A client certificate issued by the
client CA (``--client-ca``) is the user of its subject CN with its O values as groups;
its rules are those given to the user or its groups (``POST /_emulator/users``), all for
the group ``system:masters``, none otherwise (403). Without any token or client CA
configured every request is allowed as ``system:anonymous``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from .client_certs import ClientCertAuthenticator
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

    def __init__(self, token: str | None = None, client_ca: str | None = None) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, Identity] = {}
        self._rejected: set[str] = set()
        self._rules: dict[str, list[dict[str, Any]]] = {"group:system:masters": list(ALLOW_ALL)}
        self._certs = ClientCertAuthenticator(client_ca) if client_ca else None
        if token:
            self._tokens[token] = Identity("admin", ["system:masters"])

    def set_rules(self, rules: list[dict[str, Any]], user: str | None = None, group: str | None = None) -> None:
        """Rules for a client-certificate user (its CN) or group (an O value)."""
        with self._lock:
            self._rules[f"user:{user}" if user else f"group:{group}"] = rules

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

    def authenticate(self, authorization: str | None, client_cert: bytes | None = None) -> Identity:
        """Return the identity for a client certificate (DER) or an ``Authorization`` header, tried in
        that order as kube-apiserver does; 401 if authentication is required and neither is valid."""
        with self._lock:
            if self._certs is not None:
                subject = self._certs.authenticate(client_cert)
                if subject is not None:
                    user, groups = subject
                    keys = [f"user:{user}"] + [f"group:{group}" for group in groups]
                    return Identity(user, groups, [rule for key in keys for rule in self._rules.get(key, [])])
            elif not self._tokens:
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
