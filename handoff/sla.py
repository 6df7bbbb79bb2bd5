"""The service levels: what a case of a given severity, for a customer of a given tier, is
promised (priority in the queue, first-response deadline in the team's business time).

The table itself is configuration (``handoff.service_levels`` in config.yml, defaults in
handoff/settings.py); this module is the one place that reads it.
"""

from __future__ import annotations

from dataclasses import dataclass

from handoff.hours import BusinessHours
from handoff.settings import HandoffSettings


@dataclass(frozen=True)
class Promise:
    priority: int  # 1 is the most urgent
    deadline: float  # epoch seconds of the first-response deadline


class ServiceLevels:
    def __init__(self, settings: HandoffSettings) -> None:
        self.table = settings.service_levels
        self.hours = {
            name: BusinessHours.parse(team.timezone, team.hours)
            for name, team in settings.teams.items()
        }

    def promise(self, severity: str, tier: str, team: str, now: float) -> Promise:
        level = self.table[severity][tier]  # type: ignore[index]
        deadline = self.hours[team].add_business_time(now, level.first_response_minutes * 60)
        return Promise(level.priority, deadline)
