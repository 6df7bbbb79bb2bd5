"""The customer's acknowledgement when a person takes over: honest, tier- and severity-aware.

The promise comes from the ticket itself (its SLA deadline, in business time), so what the
customer reads and what the agent's countdown shows are the same number.
"""

from __future__ import annotations

import math
from datetime import datetime

from bot.intents import IntentSet
from bot.responder import pick_text
from bot.vocabulary import Severity, Tier
from handoff.hours import BusinessHours
from handoff.models import Ticket

_WEEKDAYS = {"zh": "一二三四五六日", "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}


def acknowledgement(
    ticket: Ticket, hours: BusinessHours, intents: IntentSet, language: str, now: float
) -> str:
    """What the customer reads when their conversation is handed over."""
    system = intents.system
    if ticket.channel == "comment" and "ack_public" in system:
        # A public comment gets a short note; the details (and the promise) go in private.
        return pick_text(system["ack_public"], language)
    key = f"ack_{ticket.severity}"
    if ticket.tier == Tier.VIP and ticket.severity != Severity.CRISIS and "ack_vip" in system:
        key = "ack_vip"
    template = pick_text(system.get(key) or system.get("handoff", {}), language)
    text = template.replace("{eta}", format_duration(ticket.sla_deadline - now, language))
    if not hours.is_open(now) and "after_hours" in system:
        back_at = format_moment(hours.next_open(now), hours, language, now)
        text += ("" if language == "zh" else " ") + pick_text(
            system["after_hours"], language
        ).replace("{back_at}", back_at)
    return text


def format_duration(seconds: float, language: str) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    if minutes < 90:
        return f"{minutes}分钟" if language == "zh" else _plural(minutes, "minute")
    hours = math.ceil(minutes / 60)
    return f"{hours}小时" if language == "zh" else _plural(hours, "hour")


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def format_moment(at: float, hours: BusinessHours, language: str, now: float) -> str:
    local = datetime.fromtimestamp(at, hours.timezone)
    today = datetime.fromtimestamp(now, hours.timezone).date()
    clock = local.strftime("%H:%M")
    days = (local.date() - today).days
    if language == "zh":
        day = {0: "今天", 1: "明天"}.get(days, f"周{_WEEKDAYS['zh'][local.weekday()]}")
        return f"{day} {clock}"
    day = {0: "today", 1: "tomorrow"}.get(days, _WEEKDAYS["en"][local.weekday()])
    return f"{day} at {clock}"
