from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from handoff.hours import BusinessHours

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKDAYS_9_TO_6 = {d: "09:00-18:00" for d in ("mon", "tue", "wed", "thu", "fri")}


def _at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).timestamp()


def test_without_hours_the_clock_always_runs() -> None:
    hours = BusinessHours.parse("Asia/Shanghai", None)
    assert hours.is_open(_at("2026-11-22 03:00"))
    assert hours.add_business_time(_at("2026-11-22 03:00"), 600) == _at("2026-11-22 03:10")


def test_sla_clock_counts_business_time_only() -> None:
    hours = BusinessHours.parse("Asia/Shanghai", WEEKDAYS_9_TO_6)
    # Friday 17:50 + 30 business minutes = Monday 09:20 (2026-11-20 is a Friday).
    assert hours.add_business_time(_at("2026-11-20 17:50"), 30 * 60) == _at("2026-11-23 09:20")
    # Saturday night: the clock starts on Monday morning.
    assert hours.add_business_time(_at("2026-11-21 22:00"), 60 * 60) == _at("2026-11-23 10:00")
    assert hours.next_open(_at("2026-11-21 22:00")) == _at("2026-11-23 09:00")
    assert hours.next_open(_at("2026-11-23 10:00")) == _at("2026-11-23 10:00")


def test_split_days() -> None:
    hours = BusinessHours.parse("Asia/Shanghai", {"mon": "09:00-12:00, 13:00-18:00"})
    assert not hours.is_open(_at("2026-11-23 12:30"))
    assert hours.add_business_time(_at("2026-11-23 11:30"), 60 * 60) == _at("2026-11-23 13:30")


@pytest.mark.parametrize(
    "spec", [{"mon": "18:00-09:00"}, {"mon": "9-5"}, {"someday": "09:00-10:00"}, {"mon": ""}]
)
def test_bad_hours_are_refused(spec: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        BusinessHours.parse("Asia/Shanghai", spec)
