"""The SLA watcher: breaches, tickets abandoned by offline agents, and auto-assignment.

It runs in every API process, but each round is done by one process only (a short Redis
lease), so a breach is raised once and a ticket is never assigned twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

import httpx
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot import keys
from bot.lease import Lease
from handoff.agents import Assigner
from handoff.models import Ticket
from handoff.settings import HandoffSettings
from handoff.tickets import TicketStore

logger = logging.getLogger(__name__)


class SlaWatcher:
    def __init__(
        self, redis: Redis, tickets: TicketStore, assigner: Assigner, settings: HandoffSettings
    ) -> None:
        self.redis = redis
        self.tickets = tickets
        self.assigner = assigner
        self.settings = settings
        # Three rounds long: a holder that stalls for a round keeps its turn.
        self.lease = Lease(
            redis, keys.lease("sla-watcher"), int(settings.watch_interval_seconds * 3000)
        )

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                if await self.lease.hold():
                    await self.run_once()
            except (RedisError, OSError) as exc:
                logger.warning("SLA watcher could not reach Redis: %r", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.settings.watch_interval_seconds)
        # Hand over at once instead of making the other processes wait for the lease to lapse.
        with contextlib.suppress(RedisError, OSError):
            await self.lease.release()

    async def run_once(self) -> list[Ticket]:
        """One round; returns the tickets newly marked as breached."""
        breached = await self._raise_breaches()
        await self.assigner.release_abandoned()
        if self.settings.auto_assign:
            await self.assigner.assign_waiting()
        return breached

    async def _raise_breaches(self) -> list[Ticket]:
        now = self.tickets.clock()
        breached = []
        for ticket in await self.tickets.list("open"):
            if ticket.breached or ticket.first_response_at is not None:
                continue
            if now > ticket.sla_deadline:
                ticket = await self.tickets.mark_breached(ticket.id)
                breached.append(ticket)
                await self.redis.publish(
                    keys.CONSOLE_CHANNEL,
                    json.dumps({"type": "breach", "data": ticket.summary()}, ensure_ascii=False),
                )
                logger.warning(
                    "Ticket %s breached its SLA (%s, %s)", ticket.id, ticket.severity, ticket.tier
                )
                await self._notify(ticket)
        return breached

    async def _notify(self, ticket: Ticket) -> None:
        url = self.settings.breach_webhook_url
        if not url:
            return
        payload = {"event": "sla_breach", "ticket": ticket.summary()}
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                response = await client.post(url, json=payload)
                response.raise_for_status()
        except httpx.HTTPError as exc:
            logger.error("Breach webhook for ticket %s failed: %r", ticket.id, exc)
