"""Counts the API requests the emulator answers, by client (User-Agent), method, path and watch,
so tests and benchmarks can bound what a controller sends (``GET/DELETE /_emulator/requests``)."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class RequestLog:
    """Thread-safe request counters; admin and health requests are not counted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str, str, bool]] = Counter()

    def record(self, agent: str, method: str, path: str, watch: bool) -> None:
        with self._lock:
            self._counts[(agent, method, path, watch)] += 1

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()

    def describe(self) -> dict[str, Any]:
        """``{"total": N, "requests": [{"agent", "method", "path", "watch", "count"}, ...]}``, most frequent first."""
        with self._lock:
            items = self._counts.most_common()
        return {"total": sum(count for _, count in items),
                "requests": [{"agent": a, "method": m, "path": p, "watch": w, "count": c} for (a, m, p, w), c in items]}
