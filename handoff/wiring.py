"""Puts the handoff parts on an app: stores on ``app.state``, routers, the SLA watcher."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter
from redis.asyncio import Redis

from bot.customers import CustomerStore
from bot.intents import load_intent_set
from handoff import routes_agents, routes_customers, routes_live, routes_tickets
from handoff.agents import Assigner, Presence
from handoff.canned import load_canned
from handoff.console import router as console_router
from handoff.desk import TicketDesk
from handoff.settings import HandoffSettings
from handoff.tickets import TicketStore
from handoff.watcher import SlaWatcher


def handoff_routers() -> list[APIRouter]:
    return [
        routes_agents.router,
        routes_tickets.router,
        routes_customers.router,
        routes_live.router,
        console_router,
    ]


def attach_handoff(
    state: Any, redis: Redis, settings: HandoffSettings, intents_dir: Path
) -> SlaWatcher:
    """Create the stores the routes use; return the watcher for the caller to run. Needs the
    user store on ``state`` (``auth.wiring.attach_auth``) first."""
    state.tickets = TicketStore(redis, settings)
    state.customers = CustomerStore(redis, settings.tiers)
    state.presence = Presence(redis, settings)
    state.assigner = Assigner(state.tickets, state.users, state.presence)
    state.handoff_port = TicketDesk(state.tickets)  # what the connectors may ask of handoff
    state.system_texts = load_intent_set(intents_dir).system
    state.canned = load_canned(intents_dir)
    return SlaWatcher(redis, state.tickets, state.assigner, settings)
