"""Business hours: when a team is at work, and SLA clocks that only run while it is.

Hours are written per weekday as ``"09:00-18:00"`` (several ranges: ``"09:00-12:00,13:00-18:00"``;
closed: ``""``), in the team's time zone. A team without hours works around the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MAX_DAYS_AHEAD = 14  # a week with no opening at all is a configuration error; stop looking


@dataclass(frozen=True)
class BusinessHours:
    timezone: ZoneInfo
    ranges: dict[int, tuple[tuple[time, time], ...]]  # weekday (0 = Monday) -> open ranges
    always_open: bool = False

    @classmethod
    def parse(cls, timezone: str, hours: dict[str, str] | None) -> BusinessHours:
        zone = ZoneInfo(timezone)
        if not hours:
            return cls(zone, {}, always_open=True)
        ranges: dict[int, tuple[tuple[time, time], ...]] = {}
        for day, spec in hours.items():
            if day not in WEEKDAYS:
                raise ValueError(f"unknown weekday {day!r} in business hours (use {WEEKDAYS})")
            ranges[WEEKDAYS.index(day)] = tuple(
                _parse_range(part) for part in spec.split(",") if part.strip()
            )
        if not any(ranges.values()):
            raise ValueError("business hours never open; leave them out for 24/7")
        return cls(zone, ranges)

    def is_open(self, at: float) -> bool:
        if self.always_open:
            return True
        local = datetime.fromtimestamp(at, self.timezone)
        return any(start <= local.time() < end for start, end in self._day(local))

    def next_open(self, at: float) -> float:
        """``at`` itself when open, else the next moment the team opens."""
        if self.is_open(at):
            return at
        for start, _ in self._intervals_from(at):
            return start
        raise ValueError("business hours never open")

    def add_business_time(self, at: float, seconds: float) -> float:
        """The moment ``seconds`` of business time after ``at``: an SLA deadline."""
        if self.always_open:
            return at + seconds
        remaining = seconds
        for start, end in self._intervals_from(at):
            start = max(start, at)
            if start + remaining <= end:
                return start + remaining
            remaining -= end - start
        raise ValueError("business hours never open")

    def _day(self, local: datetime) -> tuple[tuple[time, time], ...]:
        return self.ranges.get(local.weekday(), ())

    def _intervals_from(self, at: float):
        local = datetime.fromtimestamp(at, self.timezone)
        for offset in range(_MAX_DAYS_AHEAD):
            day = (local + timedelta(days=offset)).date()
            for start, end in self.ranges.get(day.weekday(), ()):
                opens = datetime.combine(day, start, self.timezone).timestamp()
                closes = datetime.combine(day, end, self.timezone).timestamp()
                if closes > at:
                    yield opens, closes


def _parse_range(spec: str) -> tuple[time, time]:
    try:
        start_text, end_text = (part.strip() for part in spec.split("-"))
        start, end = time.fromisoformat(start_text), time.fromisoformat(end_text)
    except ValueError as exc:
        raise ValueError(f"business hours {spec!r}: expected HH:MM-HH:MM") from exc
    if end <= start:
        raise ValueError(f"business hours {spec!r}: the end must be after the start")
    return start, end
