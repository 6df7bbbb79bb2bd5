"""Queue and bot metrics: for the console's header strip and for Prometheus."""

from __future__ import annotations

import time
from typing import Any

from redis.asyncio import Redis

from bot import keys
from bot.vocabulary import SEVERITIES
from handoff.tickets import TicketStore


async def summary(redis: Redis, tickets: TicketStore) -> dict[str, Any]:
    now = time.time()
    waiting = await tickets.list("waiting")
    open_tickets = await tickets.list("open")
    counters = {k: int(v) for k, v in (await redis.hgetall(keys.METRICS)).items()}
    responses = [float(x) for x in await redis.lrange(keys.FIRST_RESPONSES, 0, -1)]
    decided = sum(
        counters.get(f"decision_{kind}", 0) for kind in ("auto_answer", "clarify", "handoff")
    )
    met, missed = counters.get("sla_met", 0), counters.get("sla_missed", 0)
    return {
        "queue": {s: sum(1 for t in waiting if t.severity == s) for s in SEVERITIES},
        "open": len(open_tickets),
        "breached": sum(1 for t in open_tickets if t.breached),
        "oldest_wait_seconds": max((now - t.created_at for t in waiting), default=0.0),
        "first_response_seconds_avg": sum(responses) / len(responses) if responses else None,
        "sla_attainment": met / (met + missed) if met + missed else None,
        "handoff_rate": counters.get("decision_handoff", 0) / decided if decided else None,
        "auto_answer_rate": counters.get("decision_auto_answer", 0) / decided if decided else None,
        "messages": decided,
    }


def prometheus(data: dict[str, Any]) -> str:
    """The summary in Prometheus's text exposition format."""
    lines = [
        "# HELP switchboard_queue_waiting Tickets waiting for an agent, by severity.",
        "# TYPE switchboard_queue_waiting gauge",
    ]
    lines += [f'switchboard_queue_waiting{{severity="{s}"}} {n}' for s, n in data["queue"].items()]
    gauges = {
        "open_tickets": ("Tickets waiting or assigned.", data["open"]),
        "breached_tickets": ("Open tickets past their SLA deadline.", data["breached"]),
        "oldest_wait_seconds": ("Age of the oldest waiting ticket.", data["oldest_wait_seconds"]),
        "first_response_seconds_avg": (
            "Mean first-response time, last 1000 tickets.",
            data["first_response_seconds_avg"],
        ),
        "sla_attainment_ratio": (
            "Share of first responses within the SLA.",
            data["sla_attainment"],
        ),
        "handoff_ratio": ("Share of messages handed to a person.", data["handoff_rate"]),
        "auto_answer_ratio": (
            "Share of messages the bot answered itself.",
            data["auto_answer_rate"],
        ),
    }
    for name, (help_text, value) in gauges.items():
        if value is None:
            continue
        lines += [
            f"# HELP switchboard_{name} {help_text}",
            f"# TYPE switchboard_{name} gauge",
            f"switchboard_{name} {float(value):.6g}",
        ]
    lines += [
        "# HELP switchboard_messages_total Messages the bot decided on.",
        "# TYPE switchboard_messages_total counter",
        f"switchboard_messages_total {data['messages']}",
    ]
    return "\n".join(lines) + "\n"
