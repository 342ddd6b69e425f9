"""Run-time fault switches, flipped through ``POST /_emulator/faults``.

- ``error``: answer matching requests with 500/503/429 (+ ``Retry-After``).
- ``delay``: sleep before answering matching requests.
- ``dropWatch``: the next N watches are cut (connection closed without the final
  chunk) after K events; ``dropOpenWatches`` cuts the watches open right now.
- ``expire`` (handled by the admin endpoint): compact the whole history (``Store.compact``): every RV
  issued so far gets 410, so open watches get an ERROR 410 event; a fresh list (RV unset) and a watch
  from its RV work.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

from .errors import ApiError

_MESSAGES = {500: ("InternalError", "Internal error occurred: injected fault"),
             503: ("ServiceUnavailable", "the server is currently unable to handle the request"),
             429: ("TooManyRequests", "the server has received too many requests and has asked us to try again later"),
             504: ("Timeout", "the server was unable to return a response in the time allotted")}


@dataclass
class Rule:
    """A fault that applies to requests matching ``method`` and ``path`` (regex); ``count`` < 0 is unlimited."""

    method: str | None
    path: str | None
    count: int
    data: dict[str, Any]

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method.upper() == method) and \
               (self.path is None or re.search(self.path, path) is not None)

    def describe(self) -> dict[str, Any]:
        return {"method": self.method, "path": self.path, "count": self.count, **self.data}


class Faults:
    """Thread-safe set of active fault rules."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._errors: list[Rule] = []
        self._delays: list[Rule] = []
        self._watch_drops: list[Rule] = []
        self.drop_epoch = 0

    @staticmethod
    def _rule(spec: dict[str, Any], keys: tuple[str, ...]) -> Rule:
        return Rule(spec.get("method"), spec.get("path"), int(spec.get("count", -1)),
                    {k: spec[k] for k in keys if k in spec})

    def add_error(self, spec: dict[str, Any]) -> None:
        """``{"status": 503, "retryAfter": 1, "count": 2, "method": "GET", "path": "backuppolicies"}``."""
        with self._lock:
            self._errors.append(self._rule(spec, ("status", "retryAfter", "message")))

    def add_delay(self, spec: dict[str, Any]) -> None:
        """``{"seconds": 0.5, "count": 1, "path": "..."}``."""
        with self._lock:
            self._delays.append(self._rule(spec, ("seconds",)))

    def add_watch_drop(self, spec: dict[str, Any]) -> None:
        """``{"afterEvents": 1, "count": 1, "path": "..."}``."""
        with self._lock:
            self._watch_drops.append(self._rule(spec, ("afterEvents",)))

    def drop_open_watches(self) -> None:
        with self._lock:
            self.drop_epoch += 1

    def clear(self) -> None:
        with self._lock:
            self._errors.clear()
            self._delays.clear()
            self._watch_drops.clear()

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {"errors": [r.describe() for r in self._errors], "delays": [r.describe() for r in self._delays],
                    "watchDrops": [r.describe() for r in self._watch_drops]}

    @staticmethod
    def _take(rules: list[Rule], method: str, path: str) -> Rule | None:
        for rule in rules:
            if rule.count != 0 and rule.matches(method, path):
                if rule.count > 0:
                    rule.count -= 1
                return rule
        return None

    def error_for(self, method: str, path: str) -> ApiError | None:
        """Return the injected error for this request, if any (consumes one use)."""
        with self._lock:
            rule = self._take(self._errors, method, path)
        if rule is None:
            return None
        code = int(rule.data.get("status", 500))
        reason, message = _MESSAGES.get(code, ("InternalError", "injected fault"))
        headers = {}
        if "retryAfter" in rule.data:
            headers["Retry-After"] = str(rule.data["retryAfter"])
        details = {"retryAfterSeconds": int(rule.data["retryAfter"])} if "retryAfter" in rule.data else None
        return ApiError(code, rule.data.get("message", message), reason, details, headers)

    def delay_for(self, method: str, path: str) -> float:
        """Seconds to sleep before answering this request (consumes one use)."""
        with self._lock:
            rule = self._take(self._delays, method, path)
        return float(rule.data.get("seconds", 0)) if rule else 0.0

    def watch_drop_for(self, path: str) -> int | None:
        """Number of events after which this new watch must be cut, or None."""
        with self._lock:
            rule = self._take(self._watch_drops, "GET", path)
        return int(rule.data.get("afterEvents", 0)) if rule else None
