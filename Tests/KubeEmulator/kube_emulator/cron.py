"""Five-field cron schedules as the CronJob controller reads them (robfig/cron standard parser).

Fields: minute hour day-of-month month day-of-week; ``*``, ``?``, lists, ranges,
steps (``*/2``, ``1-30/5``), month and weekday names, and ``@hourly`` style macros.
When both day fields are restricted a day matches either (cron's OR rule).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MACROS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
          "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"}
MONTHS = {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}
DAYS = {d: i for i, d in enumerate("sun mon tue wed thu fri sat".split())}
BOUNDS = [(0, 59, {}), (0, 23, {}), (1, 31, {}), (1, 12, MONTHS), (0, 6, DAYS)]


class CronError(ValueError):
    """An unparsable schedule."""


def _num(text: str, names: dict[str, int]) -> int:
    low = text.lower()
    if low in names:
        return names[low]
    if not text.isdigit():
        raise CronError(f"failed to parse int from {text}")
    return int(text)


def _field(text: str, low: int, high: int, names: dict[str, int], is_dow: bool) -> tuple[set[int], bool]:
    values: set[int] = set()
    star = False
    for part in text.split(","):
        rng, _, step_s = part.partition("/")
        step = 1
        if step_s:
            if not step_s.isdigit() or int(step_s) == 0:
                raise CronError(f"invalid step {part!r}")
            step = int(step_s)
        if rng in ("*", "?"):
            start, end = low, high
            star = star or not step_s
        elif "-" in rng:
            a, b = rng.split("-", 1)
            start, end = _num(a, names), _num(b, names)
        else:
            start = _num(rng, names)
            end = high if step_s else start
        if is_dow and end == 7:
            end = 6 if start != 7 else 0
            if start == 7:
                start = 0
            else:
                values.add(0)
        if start < low or end > high or start > end:
            raise CronError(f"end of range ({end}) above maximum ({high}): {part}" if end > high
                            else f"beginning of range ({start}) below minimum ({low}): {part}" if start < low
                            else f"beginning of range ({start}) beyond end of range ({end}): {part}")
        values.update(range(start, end + 1, step))
    return values, star


@dataclass
class Schedule:
    """A parsed schedule; ``next_after`` gives the next activation strictly after a time."""

    minutes: set[int]
    hours: set[int]
    dom: set[int]
    months: set[int]
    dow: set[int]
    dom_star: bool
    dow_star: bool
    tz: dt.tzinfo

    def _day_ok(self, d: dt.datetime) -> bool:
        dom_ok = d.day in self.dom
        dow_ok = (d.isoweekday() % 7) in self.dow
        if self.dom_star or self.dow_star:
            return dom_ok and dow_ok
        return dom_ok or dow_ok

    def next_after(self, unix_time: float) -> float:
        """Unix time of the first activation strictly after ``unix_time``."""
        t = dt.datetime.fromtimestamp(unix_time, self.tz).replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
        limit = t + dt.timedelta(days=366 * 5)
        while t < limit:
            if t.month not in self.months:
                t = (t.replace(day=1, hour=0, minute=0) + dt.timedelta(days=32)).replace(day=1)
                continue
            if not self._day_ok(t):
                t = t.replace(hour=0, minute=0) + dt.timedelta(days=1)
                continue
            if t.hour not in self.hours:
                t = t.replace(minute=0) + dt.timedelta(hours=1)
                continue
            if t.minute not in self.minutes:
                t += dt.timedelta(minutes=1)
                continue
            return t.timestamp()
        raise CronError("schedule never fires")


def parse(text: str, time_zone: str | None = None) -> Schedule:
    """Parse a schedule (raises ``CronError``)."""
    spec = text.strip()
    tz: dt.tzinfo = dt.timezone.utc
    if spec.startswith(("TZ=", "CRON_TZ=")):
        raise CronError("CRON_TZ or TZ used in schedule is not supported; use spec.timeZone")
    if time_zone:
        try:
            tz = ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise CronError(f"unknown time zone {time_zone}")
    spec = MACROS.get(spec.lower(), spec)
    fields = spec.split()
    if len(fields) != 5:
        raise CronError(f"expected exactly 5 fields, found {len(fields)}: {text}")
    parsed = [_field(f, lo, hi, names, i == 4) for i, (f, (lo, hi, names)) in enumerate(zip(fields, BOUNDS))]
    return Schedule(parsed[0][0], parsed[1][0], parsed[2][0], parsed[3][0], parsed[4][0],
                    parsed[2][1], parsed[4][1], tz)
