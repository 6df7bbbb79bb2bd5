"""Puts the handoff parts on an app: stores on ``app.state``, routers, the SLA watcher."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from redis.asyncio import Redis

from bot.intents import load_intent_set
from bot.settings import Settings
from handoff import routes_auth, routes_customers, routes_live, routes_tickets, routes_users
from handoff.agents import Assigner, Presence
from handoff.canned import load_canned
from handoff.console import router as console_router
from handoff.customers import CustomerStore
from handoff.throttle import SignInThrottle
from handoff.tickets import TicketStore
from handoff.users import UserStore
from handoff.watcher import SlaWatcher


def handoff_routers() -> list[APIRouter]:
    return [
        routes_auth.router,
        routes_users.router,
        routes_tickets.router,
        routes_customers.router,
        routes_live.router,
        console_router,
    ]


def attach_handoff(state: Any, redis: Redis, settings: Settings) -> SlaWatcher:
    """Create the stores the routes use; return the watcher for the caller to run."""
    state.tickets = TicketStore(redis, settings.handoff)
    state.users = UserStore(redis)
    state.signin_throttle = SignInThrottle(redis, settings.handoff)
    state.customers = CustomerStore(redis, settings.handoff.tiers)
    state.presence = Presence(redis, settings.handoff)
    state.assigner = Assigner(state.tickets, state.users, state.presence)
    state.system_texts = load_intent_set(settings.understanding.intents_dir).system
    state.canned = load_canned(settings.understanding.intents_dir)
    return SlaWatcher(redis, state.tickets, state.assigner, settings.handoff)
