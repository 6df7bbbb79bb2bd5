"""Live updates for consoles (Server-Sent Events over Redis pub/sub) and metrics."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, StreamingResponse

from bot import keys
from handoff import metrics
from handoff.deps import CurrentUser, PresenceDep, TicketsDep, UsersDep, user_from_token

router = APIRouter(tags=["live"])

_PING_SECONDS = 15.0


@router.get("/api/events")
async def events(request: Request, users: UsersDep, presence: PresenceDep,
                 tickets: TicketsDep, token: str = Query("", description="bearer token")):
    """Server-Sent Events: `ticket`, `message` and `breach` events as they happen."""
    user = await user_from_token(users, presence, token)
    return StreamingResponse(_stream(request, tickets, user.username, presence),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _stream(request: Request, tickets: TicketsDep, username: str,
                  presence: PresenceDep) -> AsyncIterator[str]:
    pubsub = request.app.state.redis.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(keys.CONSOLE_CHANNEL, keys.EVENTS_CHANNEL)
    try:
        yield ": connected\n\n"
        while not await request.is_disconnected():
            message = await pubsub.get_message(timeout=_PING_SECONDS)
            if message is None:
                await presence.heartbeat(username)  # an open console is a present agent
                yield ": ping\n\n"
                continue
            event = await _translate(json.loads(message["data"]), tickets)
            if event is not None:
                yield f"event: {event[0]}\ndata: {json.dumps(event[1], ensure_ascii=False)}\n\n"
    finally:
        with contextlib.suppress(Exception):
            await pubsub.aclose()


async def _translate(payload: dict[str, Any], tickets: TicketsDep) -> tuple[str, Any] | None:
    if payload.get("type") in ("ticket", "breach"):
        return payload["type"], payload["data"]
    if payload.get("type") == "entry":  # a customer message or a reply, in any conversation
        ticket = await tickets.current_for(payload["conversation"])
        if ticket is not None:
            return "message", {"ticket_id": ticket.id, "entry": payload["entry"]}
    return None


@router.get("/api/metrics/summary")
async def metrics_summary(request: Request, user: CurrentUser,
                          tickets: TicketsDep) -> dict[str, Any]:
    """The numbers in the console's header strip."""
    return await metrics.summary(request.app.state.redis, tickets)


@router.get("/metrics", response_class=PlainTextResponse, tags=["operations"])
async def prometheus(request: Request, tickets: TicketsDep) -> str:
    """Prometheus metrics (aggregates only, no personal data: no token needed)."""
    data = await metrics.summary(request.app.state.redis, tickets)
    return PlainTextResponse(metrics.prometheus(data),
                             media_type="text/plain; version=0.0.4; charset=utf-8")


