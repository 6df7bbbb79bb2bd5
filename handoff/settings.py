"""The handoff section of config.yml: SLA table per severity and tier, teams and their hours,
assignment, presence, sign-in limits."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from bot.settings import TierRules
from bot.vocabulary import SEVERITIES, TIERS, Severity, Tier


class ServiceLevel(BaseModel):
    priority: int = Field(ge=1, le=99)
    first_response_minutes: float = Field(gt=0)


def _default_service_levels() -> dict[str, dict[str, ServiceLevel]]:
    table = {  # severity -> tier -> (priority, minutes)
        "crisis": {"vip": (1, 5), "loyal": (1, 10), "regular": (2, 15), "new": (2, 15)},
        "negative": {"vip": (2, 10), "loyal": (3, 20), "regular": (4, 30), "new": (4, 30)},
        "normal": {"vip": (3, 15), "loyal": (5, 30), "regular": (6, 45), "new": (7, 60)},
    }
    return {
        severity: {
            tier: ServiceLevel(priority=p, first_response_minutes=m)
            for tier, (p, m) in tiers.items()
        }
        for severity, tiers in table.items()
    }


class TeamSettings(BaseModel):
    timezone: str = "Asia/Shanghai"
    # Weekday -> "HH:MM-HH:MM" (comma-separated ranges); empty mapping = around the clock.
    hours: dict[str, str] = Field(default_factory=dict)


class HandoffSettings(BaseModel):
    service_levels: dict[Severity, dict[Tier, ServiceLevel]] = Field(
        default_factory=_default_service_levels
    )
    default_team: str = "support"
    teams: dict[str, TeamSettings] = Field(default_factory=lambda: {"support": TeamSettings()})
    grace_minutes: float = Field(default=30, ge=0)
    auto_assign: bool = True
    offline_release_seconds: float = Field(default=120, gt=0)
    presence_timeout_seconds: float = Field(default=90, gt=0)
    breach_webhook_url: str | None = None
    token_ttl_hours: float = Field(default=12, gt=0)
    # Sign-in throttling: this many failures of one account, or from one client address,
    # within the window lock further attempts until the window ends.
    signin_failures_per_account: int = Field(default=5, ge=1)
    signin_failures_per_address: int = Field(default=20, ge=1)
    signin_window_seconds: float = Field(default=300, gt=0)
    watch_interval_seconds: float = Field(default=5, gt=0)
    tiers: TierRules = TierRules()

    @model_validator(mode="after")
    def _complete_tables(self) -> HandoffSettings:
        for severity in SEVERITIES:
            missing = [t for t in TIERS if t not in self.service_levels.get(severity, {})]
            if missing:
                raise ValueError(f"handoff.service_levels.{severity} lacks tiers {missing}")
        if self.default_team not in self.teams:
            raise ValueError(f"handoff.default_team {self.default_team!r} is not in teams")
        return self
