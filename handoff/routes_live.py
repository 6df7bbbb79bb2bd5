"""Live updates for consoles (Server-Sent Events over Redis pub/sub) and metrics."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import PlainTextResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from redis.asyncio import Redis

from auth.deps import CurrentSession, CurrentUser, UsersDep, session_from_token
from auth.sessions import STREAM_TICKET_SECONDS, Session, Sessions
from bot import keys
from bot.deps import RedisDep
from handoff import metrics
from handoff.deps import PresenceDep, TicketsDep
from handoff.schemas import MetricsOut, StreamTicketOut

router = APIRouter(tags=["live"])

_PING_SECONDS = 15.0
# How often an open stream checks that its session still exists: a revoked session's stream
# closes within about this long (one EXISTS per stream per second).
_SESSION_CHECK_SECONDS = 1.0
_bearer = HTTPBearer(auto_error=False)


@router.post("/api/events/ticket", response_model=StreamTicketOut)
async def stream_ticket(found: CurrentSession, users: UsersDep) -> StreamTicketOut:
    """A single-use pass (valid 30 s) to open the event stream: EventSource cannot send an
    Authorization header, and a token must never travel in a URL."""
    ticket = await users.sessions.stream_ticket(found[1])
    return StreamTicketOut(ticket=ticket, expires_in=STREAM_TICKET_SECONDS)


@router.get(
    "/api/events",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "An endless text/event-stream (see above for the events).",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        }
    },
)
async def events(
    request: Request,
    redis: RedisDep,
    users: UsersDep,
    presence: PresenceDep,
    tickets: TicketsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ticket: str = Query("", description="from POST /api/events/ticket"),
) -> StreamingResponse:
    """Server-Sent Events: `ticket`, `message` and `breach` events as they happen; a
    `session_ended` event, then the end of the stream, when the session is signed out or
    revoked. Open it with a stream ticket (browsers) or an Authorization header."""
    if ticket:
        session = await users.sessions.redeem_stream_ticket(ticket)
        if session is None or await users.get(session.username) is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, "invalid, used or expired stream ticket"
            )
        await presence.heartbeat(session.username)
    else:
        _, session = await session_from_token(
            users, presence, credentials.credentials if credentials else None
        )
    return StreamingResponse(
        _stream(request, redis, tickets, session, users.sessions, presence),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _stream(
    request: Request,
    redis: Redis,
    tickets: TicketsDep,
    session: Session,
    sessions: Sessions,
    presence: PresenceDep,
) -> AsyncIterator[str]:
    pubsub = redis.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(keys.CONSOLE_CHANNEL, keys.EVENTS_CHANNEL)
    loop = asyncio.get_running_loop()
    checked = pinged = loop.time()
    try:
        yield ": connected\n\n"
        while not await request.is_disconnected():
            # Half the check interval: a check is never more than 1.5 intervals late.
            message = await pubsub.get_message(timeout=_SESSION_CHECK_SECONDS / 2)
            now = loop.time()
            if now - checked >= _SESSION_CHECK_SECONDS:
                checked = now
                if not await sessions.alive(session.digest):
                    yield 'event: session_ended\ndata: {"reason": "signed out"}\n\n'
                    return
            if message is None:
                if now - pinged >= _PING_SECONDS:
                    pinged = now
                    await presence.heartbeat(session.username)  # an open console is present
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


@router.get("/api/metrics/summary", response_model=MetricsOut)
async def metrics_summary(
    user: CurrentUser, redis: RedisDep, tickets: TicketsDep
) -> dict[str, Any]:
    """The numbers in the console's header strip."""
    return await metrics.summary(redis, tickets)


@router.get("/metrics", response_class=PlainTextResponse, tags=["operations"])
async def prometheus(redis: RedisDep, tickets: TicketsDep) -> str:
    """Prometheus metrics (aggregates only, no personal data: no token needed)."""
    data = await metrics.summary(redis, tickets)
    return PlainTextResponse(
        metrics.prometheus(data), media_type="text/plain; version=0.0.4; charset=utf-8"
    )
