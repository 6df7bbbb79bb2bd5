"""The queue and the work on one ticket: claim, reply, note, transfer, resolve."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, HTTPException, Query, status
from redis.asyncio import Redis

from auth.deps import CurrentUser, UsersDep
from bot.conversations import load_state
from bot.deps import RedisDep
from bot.intent_versions import IntentVersions
from bot.misses import MissLog, miss_id
from bot.replies import enqueue
from bot.responder import pick_text
from bot.vocabulary import ChannelKind
from handoff.deps import PresenceDep, SystemTextsDep, TicketsDep, TicketViewDep
from handoff.models import Ticket, TicketConflict, TicketNotFound
from handoff.schemas import (
    FlagIn,
    FlagOut,
    NoteIn,
    ReplyAcceptedOut,
    ReplyIn,
    ResolveIn,
    TransferIn,
    UnnecessaryOut,
)
from handoff.schemas_tickets import TicketDetailOut, TicketSummaryOut
from handoff.why import why

router = APIRouter(prefix="/api/tickets", tags=["tickets"])

_STATUSES = ("open", "waiting", "assigned", "resolved")
PRIVATE_ANSWER_TO_COMMENTS = frozenset({"wechat"})


@router.get("", response_model=list[TicketSummaryOut])
async def list_tickets(
    user: CurrentUser,
    tickets: TicketsDep,
    status_filter: str = Query(
        "open", alias="status", description="open|waiting|assigned|resolved"
    ),
) -> list[dict[str, Any]]:
    """The queue, most urgent first (priority, then SLA deadline)."""
    if status_filter not in _STATUSES:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"status must be one of {', '.join(_STATUSES)}"
        )
    return [ticket.summary() for ticket in await tickets.list(status_filter)]


@router.get("/{ticket_id}", response_model=TicketDetailOut)
async def get_ticket(
    ticket_id: str,
    user: CurrentUser,
    tickets: TicketsDep,
    view: TicketViewDep,
) -> dict[str, Any]:
    """One ticket with the conversation, the classifier's signals, notes and history."""
    return await view.detail(await _load(tickets, ticket_id))


@router.post("/{ticket_id}/claim", response_model=TicketDetailOut)
async def claim(
    ticket_id: str,
    user: CurrentUser,
    tickets: TicketsDep,
    presence: PresenceDep,
    view: TicketViewDep,
) -> dict[str, Any]:
    """Take the ticket (an offline agent becomes online); 409 when another agent has it."""
    ticket = await _change(tickets.claim(ticket_id, user.username))
    await presence.at_work(user.username)
    return await view.detail(ticket)


@router.post("/{ticket_id}/release", response_model=TicketDetailOut)
async def release(
    ticket_id: str,
    user: CurrentUser,
    tickets: TicketsDep,
    view: TicketViewDep,
) -> dict[str, Any]:
    """Put the ticket back in the queue."""
    ticket = await _change(tickets.release(ticket_id, user.username))
    return await view.detail(ticket)


@router.post(
    "/{ticket_id}/messages",
    status_code=status.HTTP_202_ACCEPTED,
)
async def reply(
    ticket_id: str,
    body: ReplyIn,
    user: CurrentUser,
    tickets: TicketsDep,
    presence: PresenceDep,
    redis: RedisDep,
) -> ReplyAcceptedOut:
    """Send a reply to the customer on their platform (claims a waiting ticket)."""
    text = body.text.strip()
    if not text:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "text is empty")
    ticket = await _change(tickets.agent_replied(ticket_id, user.username))
    await presence.at_work(user.username)
    outbound = ticket.reply(
        f"agent:{ticket.id}:{uuid.uuid4().hex[:12]}",
        text,
        agent=user.username,
        # A WeChat article comment can only get a short public reply; a person's answer goes
        # to the commenter in private, through the customer-service API.
        private=ticket.channel == ChannelKind.COMMENT
        and ticket.customer.platform in PRIVATE_ANSWER_TO_COMMENTS,
        # Threaded platforms (Telegram groups, comments) reply to the customer's last message.
        in_reply_to=(ticket.last_message or {}).get("id", ""),
    )
    await enqueue(redis, outbound)
    return ReplyAcceptedOut(reply_id=outbound.reply_id)


@router.post("/{ticket_id}/notes", response_model=TicketDetailOut)
async def add_note(
    ticket_id: str,
    body: NoteIn,
    user: CurrentUser,
    tickets: TicketsDep,
    view: TicketViewDep,
) -> dict[str, Any]:
    """An internal note for colleagues; never sent to the customer."""
    ticket = await _change(tickets.note(ticket_id, user.username, body.text.strip()))
    return await view.detail(ticket)


@router.post("/{ticket_id}/transfer", response_model=TicketDetailOut)
async def transfer(
    ticket_id: str,
    body: TransferIn,
    user: CurrentUser,
    tickets: TicketsDep,
    users: UsersDep,
    view: TicketViewDep,
) -> dict[str, Any]:
    """Hand the ticket to another agent or team."""
    if body.agent and await users.get(body.agent) is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"no agent {body.agent!r}")
    ticket = await _change(
        tickets.transfer(ticket_id, user.username, agent=body.agent, team=body.team)
    )
    return await view.detail(ticket)


@router.post("/{ticket_id}/resolve", response_model=TicketDetailOut)
async def resolve(
    ticket_id: str,
    body: ResolveIn,
    user: CurrentUser,
    tickets: TicketsDep,
    view: TicketViewDep,
    redis: RedisDep,
    system_texts: SystemTextsDep,
) -> dict[str, Any]:
    """Close the case; the bot answers the conversation again."""
    ticket = await _change(tickets.resolve(ticket_id, user.username, ask_csat=body.ask_csat))
    if body.ask_csat:
        await _ask_satisfaction(ticket, redis, system_texts)
    return await view.detail(ticket)


@router.post("/{ticket_id}/flag")
async def flag_for_the_bot(
    ticket_id: str, body: FlagIn, user: CurrentUser, tickets: TicketsDep, redis: RedisDep
) -> FlagOut:
    """Tell the admins: the bot should have answered this message with ``intent``."""
    ticket = await _load(tickets, ticket_id)
    live = await IntentVersions(redis).live()
    if live is not None and body.intent not in live.intent_set.intents:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"no intent {body.intent!r}")
    text = (body.text or (ticket.last_message or {}).get("text") or "").strip()
    if not text:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "no message to flag")
    language = ticket.signals.get("language") or "zh"
    miss = await MissLog(redis).flag(text, language, body.intent, user.username)
    return FlagOut(id=miss.id)


@router.post("/{ticket_id}/unnecessary")
async def hand_over_was_unnecessary(
    ticket_id: str, user: CurrentUser, tickets: TicketsDep, redis: RedisDep
) -> UnnecessaryOut:
    """Tell the admins: this hand-over needed no person. The triggering message goes to the
    misses list (source ``unnecessary``, with the triage scores), once per hand-over; the
    ticket's status does not change."""
    ticket = await _load(tickets, ticket_id)
    text = (ticket.signals.get("message") or (ticket.last_message or {}).get("text") or "").strip()
    if not text:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "no message to mark")
    ticket, first = await _change(tickets.mark_unnecessary(ticket_id, user.username))
    marked = ticket.unnecessary or {}
    marked_id = miss_id(text)
    if first:
        signals = ticket.signals
        miss = await MissLog(redis).unnecessary(
            text,
            signals.get("language") or "zh",
            user.username,
            {
                "ticket": ticket.id,
                "triage": signals.get("triage") or {},
                "person_reason": signals.get("person_reason") or "",
                "why": why(signals),
                "reason": ticket.reason,
            },
        )
        marked_id = miss.id
    return UnnecessaryOut(
        miss_id=marked_id,
        recorded=first,
        by=marked.get("by", user.username),
        at=marked.get("at", 0.0),
    )


async def _ask_satisfaction(
    ticket: Ticket, redis: Redis, system_texts: dict[str, dict[str, str]]
) -> None:
    # The conversation's language now (the customer may have switched while a person
    # answered), else the one the ticket was opened in.
    state = await load_state(redis, ticket.conversation_key)
    language = state.language or ticket.signals.get("language") or "zh"
    question = pick_text(system_texts["csat_question"], language)
    outbound = ticket.reply(f"csat:{ticket.id}:{int(ticket.resolved_at or 0)}", question)
    await enqueue(redis, outbound)


async def _load(tickets: TicketsDep, ticket_id: str) -> Ticket:
    try:
        return await tickets.get(ticket_id)
    except TicketNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such ticket") from None


async def _change(operation: Any) -> Ticket:
    try:
        return await operation
    except TicketNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such ticket") from None
    except TicketConflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
