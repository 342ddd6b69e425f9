"""The emulator's clock: real time plus an offset that tests may advance."""

from __future__ import annotations

import datetime as dt
import threading
import time


class Clock:
    """Wall clock with an adjustable offset, so CronJob schedules can be tested quickly."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Return the emulated Unix time in seconds."""
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the emulated time forward by ``seconds``."""
        with self._lock:
            self._offset += seconds

    def set(self, unix_time: float) -> None:
        """Jump the emulated time to ``unix_time``."""
        with self._lock:
            self._offset = unix_time - time.time()

    def now_dt(self) -> dt.datetime:
        """Return the emulated time as an aware UTC datetime."""
        return dt.datetime.fromtimestamp(self.now(), dt.timezone.utc)


def rfc3339(unix_time: float) -> str:
    """Format as a Kubernetes ``Time`` (second precision, ``Z``)."""
    return dt.datetime.fromtimestamp(unix_time, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def micro_time(unix_time: float) -> str:
    """Format as a Kubernetes ``MicroTime`` (``2026-01-01T00:00:00.000000Z``)."""
    return dt.datetime.fromtimestamp(unix_time, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> float | None:
    """Parse an RFC 3339 timestamp (with or without fraction) to Unix time; None if invalid."""
    if not isinstance(text, str):
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def human_duration(seconds: float) -> str:
    """Port of apimachinery's ``duration.HumanDuration`` (what ``AGE`` columns show)."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        rem = s % 60
        return f"{minutes}m" if rem == 0 else f"{minutes}m{rem}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        rem = minutes % 60
        return f"{hours}h" if rem == 0 else f"{hours}h{rem}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rem = hours % 24
        return f"{hours // 24}d" if rem == 0 else f"{hours // 24}d{rem}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if days == 0 else f"{hours // 24 // 365}y{days}d"
    return f"{hours // 24 // 365}y"
