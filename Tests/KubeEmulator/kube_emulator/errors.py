"""Kubernetes ``Status`` errors: one exception type carrying an HTTP code and reason."""

from __future__ import annotations

from typing import Any

REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "Conflict",
    410: "Expired",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}


class ApiError(Exception):
    """An error answered to the client as a ``Status`` object.

    Args:
        code: HTTP status code.
        message: human-readable message (``Status.message``).
        reason: machine-readable reason; defaults from the code.
        details: ``Status.details`` (name, group, kind, causes...).
        headers: extra response headers (e.g. ``Retry-After``).
    """

    def __init__(self, code: int, message: str, reason: str | None = None,
                 details: dict[str, Any] | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason or REASONS.get(code, "Unknown")
        self.details = details
        self.headers = headers or {}

    def status(self) -> dict[str, Any]:
        """Return the ``Status`` object for this error."""
        return status_object(self.code, self.message, self.reason, self.details)


def status_object(code: int, message: str, reason: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build a failure ``Status`` object as the real API server does."""
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details is not None:
        body["details"] = details
    return body


def success_status(details: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build a success ``Status`` (answered by some deletes)."""
    body: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}
    if details is not None:
        body["details"] = details
    return body


def resource_ref(group: str, plural: str) -> str:
    """Return ``plural.group`` (or ``plural`` for the core group) as used in messages."""
    return f"{plural}.{group}" if group else plural


def not_found(group: str, plural: str, kind: str, name: str) -> ApiError:
    """404 NotFound for one named object."""
    return ApiError(404, f'{resource_ref(group, plural)} "{name}" not found', "NotFound",
                    {"name": name, "group": group, "kind": plural})


def already_exists(group: str, plural: str, name: str) -> ApiError:
    """409 AlreadyExists for a taken name."""
    return ApiError(409, f'{resource_ref(group, plural)} "{name}" already exists', "AlreadyExists",
                    {"name": name, "group": group, "kind": plural})


def conflict(group: str, plural: str, name: str, why: str) -> ApiError:
    """409 Conflict (stale resourceVersion or SSA field conflict)."""
    return ApiError(409, f'Operation cannot be fulfilled on {resource_ref(group, plural)} "{name}": {why}',
                    "Conflict", {"name": name, "group": group, "kind": plural})


def invalid(group: str, kind: str, name: str, causes: list[dict[str, str]]) -> ApiError:
    """422 Invalid with one cause per bad field, message shaped like the real server's."""
    text = "; ".join(c["message"] if not c.get("field") else f'{c["field"]}: {c["message"]}' for c in causes)
    if len(causes) > 1:
        text = "[" + ", ".join(
            (f'{c["field"]}: {c["message"]}' if c.get("field") else c["message"]) for c in causes) + "]"
    kind_ref = f"{kind}.{group}" if group else kind
    return ApiError(422, f'{kind_ref} "{name}" is invalid: {text}', "Invalid",
                    {"name": name, "group": group, "kind": kind, "causes": [
                        {"reason": c.get("reason", "FieldValueInvalid"), "message": c["message"],
                         "field": c.get("field", "")} for c in causes]})


def expired(message: str) -> ApiError:
    """410 Gone / Expired for a too-old resourceVersion."""
    return ApiError(410, message, "Expired")


def bad_request(message: str) -> ApiError:
    """400 BadRequest."""
    return ApiError(400, message, "BadRequest")
