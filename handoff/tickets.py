"""Tickets in Redis: one JSON document per ticket, sorted sets as the queue's indexes.

Every change goes through ``_mutate``: WATCH the ticket, apply a pure function to it, write the
document, move it between the waiting / assigned / resolved indexes and publish the change to
live consoles, all in one MULTI/EXEC. When two agents race to claim a ticket, one transaction
commits and the other sees a WatchError, re-reads the ticket, finds it claimed and gets
``TicketConflict``: exactly one wins, with no lock to leak.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import WatchError

from bot import keys
from bot.messages import InboundMessage
from handoff.models import Ticket, TicketConflict, TicketNotFound, last_message
from handoff.settings import HandoffSettings
from handoff.sla import ServiceLevels

logger = logging.getLogger(__name__)

_INDEX = {
    "waiting": keys.TICKETS_WAITING,
    "assigned": keys.TICKETS_ASSIGNED,
    "resolved": keys.TICKETS_RESOLVED,
}
_MAX_RETRIES = 20


class TicketStore:
    def __init__(
        self, redis: Redis, settings: HandoffSettings, clock: Callable[[], float] = time.time
    ) -> None:
        self.redis = redis
        self.settings = settings
        self.clock = clock
        self.sla = ServiceLevels(settings)
        self.hours = self.sla.hours

    # --- reading -------------------------------------------------------------------------

    async def get(self, ticket_id: str) -> Ticket:
        raw = await self.redis.get(keys.ticket(ticket_id))
        if raw is None:
            raise TicketNotFound(ticket_id)
        return Ticket.from_json(raw)

    async def current_for(self, conversation_key: str) -> Ticket | None:
        """The conversation's open ticket, or its last one."""
        ticket_id = await self.redis.get(keys.conversation_ticket(conversation_key))
        if ticket_id is None:
            return None
        try:
            return await self.get(ticket_id)
        except TicketNotFound:
            return None

    async def list(self, status: str = "open", limit: int = 500) -> list[Ticket]:
        """Most urgent first for open tickets; most recently resolved first otherwise."""
        if status == "open":
            ids = await self.redis.zrange(keys.TICKETS_WAITING, 0, limit - 1)
            ids += await self.redis.zrange(keys.TICKETS_ASSIGNED, 0, limit - 1)
        elif status == "resolved":
            ids = await self.redis.zrevrange(keys.TICKETS_RESOLVED, 0, limit - 1)
        else:
            ids = await self.redis.zrange(_INDEX[status], 0, limit - 1)
        raws = await self.redis.mget([keys.ticket(i) for i in ids]) if ids else []
        tickets = [Ticket.from_json(raw) for raw in raws if raw]
        if status == "open":
            tickets.sort(key=Ticket.queue_score)
        return tickets

    # --- opening -------------------------------------------------------------------------

    async def open(
        self,
        ticket_id: str,
        message: InboundMessage,
        *,
        reason: str,
        severity: str,
        tier: str,
        signals: dict[str, Any],
    ) -> tuple[Ticket, bool]:
        """Open a ticket for the message's conversation; returns (ticket, newly opened).

        Idempotent per ``ticket_id`` (derived from the message), so a redelivered message
        cannot open a second ticket. A conversation with an open ticket keeps it; one whose
        ticket was resolved within the grace period gets that ticket reopened.
        """
        current = await self.current_for(message.conversation_key)
        if current is not None and current.is_open:
            return current, False
        if current is not None and current.id == ticket_id:
            return current, False  # this very message opened it before (a redelivery)
        now = self.clock()
        grace = self.settings.grace_minutes * 60
        if current is not None and current.resolved_at and now - current.resolved_at <= grace:
            return await self._reopen(current.id, reason, severity, tier, signals), True
        team = self.settings.default_team
        promise = self.sla.promise(severity, tier, team, now)
        ticket = Ticket.from_message(
            ticket_id,
            message,
            reason=reason,
            severity=severity,
            tier=tier,
            team=team,
            priority=promise.priority,
            deadline=promise.deadline,
            signals=signals,
            now=now,
        )
        created = await self.redis.set(keys.ticket(ticket.id), ticket.to_json(), nx=True)
        if not created:
            return await self.get(ticket.id), False
        async with self.redis.pipeline(transaction=True) as tx:
            tx.set(keys.conversation_ticket(message.conversation_key), ticket.id)
            tx.zadd(keys.TICKETS_WAITING, {ticket.id: ticket.queue_score()})
            tx.hincrby(keys.METRICS, "tickets_opened", 1)
            _publish(tx, ticket)
            await tx.execute()
        logger.info(
            "Opened ticket %s (%s, %s, priority %d): %s",
            ticket.id,
            severity,
            tier,
            ticket.priority,
            reason,
        )
        return ticket, True

    async def _reopen(
        self, ticket_id: str, reason: str, severity: str, tier: str, signals: dict[str, Any]
    ) -> Ticket:
        def reopen(ticket: Ticket, now: float) -> None:
            promise = self.sla.promise(severity, tier, ticket.team, now)
            ticket.status, ticket.reason, ticket.severity, ticket.tier = (
                "waiting",
                reason,
                severity,
                tier,
            )
            ticket.priority, ticket.signals = promise.priority, signals
            ticket.resolved_at, ticket.first_response_at, ticket.breached = None, None, False
            ticket.sla_deadline = promise.deadline
            ticket.reopened += 1
            ticket.unnecessary = None  # a new hand-over, judged anew
            ticket.record("reopened", "customer", now, reason)

        return await self._mutate(ticket_id, reopen)

    # --- agents' operations ----------------------------------------------------------------

    async def claim(self, ticket_id: str, agent: str) -> Ticket:
        def claim(ticket: Ticket, now: float) -> None:
            _require_open(ticket)
            if ticket.agent == agent and ticket.status == "assigned":
                return
            if ticket.status == "assigned":
                raise TicketConflict(f"already claimed by {ticket.agent}")
            ticket.status, ticket.agent = "assigned", agent
            ticket.record("claimed", agent, now)

        return await self._mutate(ticket_id, claim)

    async def release(self, ticket_id: str, by: str, reason: str = "") -> Ticket:
        def release(ticket: Ticket, now: float) -> None:
            _require_open(ticket)
            ticket.status, ticket.agent = "waiting", None
            ticket.record("released", by, now, reason)

        return await self._mutate(ticket_id, release)

    async def transfer(
        self, ticket_id: str, by: str, *, agent: str | None, team: str | None
    ) -> Ticket:
        if agent is None and team is None:
            raise TicketConflict("transfer needs an agent or a team")
        if team is not None and team not in self.settings.teams:
            raise TicketConflict(f"unknown team {team!r}")

        def transfer(ticket: Ticket, now: float) -> None:
            _require_open(ticket)
            if team is not None:
                ticket.team = team
            ticket.status, ticket.agent = ("assigned", agent) if agent else ("waiting", None)
            ticket.record("transferred", by, now, f"to {agent or team}")

        return await self._mutate(ticket_id, transfer)

    async def note(self, ticket_id: str, by: str, text: str) -> Ticket:
        def note(ticket: Ticket, now: float) -> None:
            ticket.notes.append({"author": by, "text": text, "ts": now})

        return await self._mutate(ticket_id, note)

    async def agent_replied(self, ticket_id: str, agent: str) -> Ticket:
        """Record an agent's reply; a waiting ticket is claimed by whoever answers it."""
        first_response = False

        def replied(ticket: Ticket, now: float) -> None:
            nonlocal first_response
            _require_open(ticket)
            if ticket.status == "assigned" and ticket.agent != agent:
                raise TicketConflict(f"{ticket.agent} is handling this ticket")
            ticket.status, ticket.agent = "assigned", agent
            first_response = ticket.first_response_at is None
            if first_response:
                ticket.first_response_at = now
            ticket.record("replied", agent, now)

        ticket = await self._mutate(ticket_id, replied)
        if first_response:
            await self._record_first_response(ticket)
        return ticket

    async def resolve(self, ticket_id: str, by: str, *, ask_csat: bool = False) -> Ticket:
        def resolve(ticket: Ticket, now: float) -> None:
            _require_open(ticket)
            ticket.status, ticket.resolved_at = "resolved", now
            ticket.csat_requested, ticket.csat = ask_csat, None
            ticket.record("resolved", by, now)

        return await self._mutate(ticket_id, resolve)

    async def record_csat(self, ticket_id: str, score: int) -> Ticket:
        def rate(ticket: Ticket, now: float) -> None:
            ticket.csat = score
            ticket.record("rated", "customer", now, str(score))

        ticket = await self._mutate(ticket_id, rate)
        await self.redis.hincrby(keys.METRICS, f"csat_{score}", 1)
        return ticket

    # --- what happens around the ticket ----------------------------------------------------

    async def mark_unnecessary(self, ticket_id: str, by: str) -> tuple[Ticket, bool]:
        """An agent says this hand-over needed no person; (ticket, first time). The status
        stays: the agent still answers and resolves."""
        first = False

        def mark(ticket: Ticket, now: float) -> None:
            nonlocal first
            first = ticket.unnecessary is None
            if first:
                ticket.unnecessary = {"by": by, "at": now}
                ticket.record("unnecessary", by, now)

        return await self._mutate(ticket_id, mark), first

    async def customer_wrote(self, ticket_id: str, message: InboundMessage) -> Ticket:
        def wrote(ticket: Ticket, now: float) -> None:
            ticket.last_message = last_message(message)
            ticket.unreachable = None  # writing again reopens the platform's reply window

        return await self._mutate(ticket_id, wrote)

    async def mark_breached(self, ticket_id: str) -> Ticket:
        def breach(ticket: Ticket, now: float) -> None:
            if not ticket.breached:
                ticket.breached = True
                ticket.record("breached", "sla", now)

        return await self._mutate(ticket_id, breach)

    async def mark_unreachable(self, ticket_id: str, reason: str) -> Ticket:
        def unreachable(ticket: Ticket, now: float) -> None:
            ticket.unreachable = reason
            ticket.record("unreachable", "platform", now, reason)

        return await self._mutate(ticket_id, unreachable)

    # --- the one way a ticket changes ------------------------------------------------------

    async def _mutate(self, ticket_id: str, change: Callable[[Ticket, float], None]) -> Ticket:
        key = keys.ticket(ticket_id)
        for _ in range(_MAX_RETRIES):
            async with self.redis.pipeline(transaction=True) as tx:
                try:
                    await tx.watch(key)
                    raw = await tx.get(key)
                    if raw is None:
                        raise TicketNotFound(ticket_id)
                    ticket = Ticket.from_json(raw)
                    before = ticket.status
                    change(ticket, self.clock())
                    tx.multi()
                    tx.set(key, ticket.to_json())
                    if before != ticket.status:
                        tx.zrem(_INDEX[before], ticket.id)
                    if ticket.status == "resolved":
                        tx.zadd(keys.TICKETS_RESOLVED, {ticket.id: ticket.resolved_at or 0})
                    else:
                        tx.zadd(_INDEX[ticket.status], {ticket.id: ticket.queue_score()})
                    _publish(tx, ticket)
                    await tx.execute()
                    return ticket
                except WatchError:
                    continue  # someone changed it first: look again
        raise TicketConflict(f"ticket {ticket_id} is changing too fast; try again")

    async def _record_first_response(self, ticket: Ticket) -> None:
        answered_at = ticket.first_response_at or self.clock()
        waited = answered_at - ticket.created_at
        met = answered_at <= ticket.sla_deadline
        async with self.redis.pipeline(transaction=True) as tx:
            tx.lpush(keys.FIRST_RESPONSES, f"{waited:.3f}")
            tx.ltrim(keys.FIRST_RESPONSES, 0, 999)
            tx.hincrby(keys.METRICS, "sla_met" if met else "sla_missed", 1)
            await tx.execute()


def _require_open(ticket: Ticket) -> None:
    if not ticket.is_open:
        raise TicketConflict(f"ticket is {ticket.status}")


def _publish(tx: Any, ticket: Ticket) -> None:
    tx.publish(
        keys.CONSOLE_CHANNEL,
        json.dumps({"type": "ticket", "data": ticket.summary()}, ensure_ascii=False),
    )
