"""The handoff side of the engine's hand-over port (``bot.ports.HandoffPort``): tickets.

The pipeline asks through this class, never through the ticket store directly, so that what
the engine may do to the queue is exactly what the port says.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.intents import IntentSet
from bot.messages import InboundMessage, OutboundReply
from bot.ports import Acknowledgement
from bot.vocabulary import ChannelKind, HandoverReason, Severity, Tier
from handoff.acks import acknowledgement
from handoff.models import Ticket
from handoff.tickets import TicketStore


class TicketDesk:
    def __init__(self, tickets: TicketStore) -> None:
        self.tickets = tickets

    async def current_case(self, conversation_key: str) -> Ticket | None:
        return await self.tickets.current_for(conversation_key)

    async def customer_wrote(self, case_id: str, message: InboundMessage) -> None:
        await self.tickets.customer_wrote(case_id, message)

    async def open_case(
        self,
        case_id: str,
        message: InboundMessage,
        *,
        reason: HandoverReason,
        severity: Severity,
        tier: Tier,
        signals: dict[str, Any],
    ) -> tuple[Ticket, bool]:
        return await self.tickets.open(
            case_id,
            message,
            reason=reason.code,
            severity=severity,
            tier=tier,
            signals=signals,
        )

    async def rating_awaited(self, conversation_key: str, now: float) -> str | None:
        ticket = await self.tickets.current_for(conversation_key)
        grace = self.tickets.settings.grace_minutes * 60
        if (
            ticket is None
            or not ticket.csat_requested
            or ticket.csat is not None
            or ticket.resolved_at is None
            or now - ticket.resolved_at > grace
        ):
            return None
        return ticket.id

    async def record_satisfaction(self, case_id: str, score: int) -> None:
        await self.tickets.record_csat(case_id, score)

    def acknowledgement(
        self, case: Ticket, intents: IntentSet, language: str, now: float
    ) -> Acknowledgement:
        hours = self.tickets.hours[case.team]
        text = acknowledgement(case, hours, intents, language, now)
        details = ""
        if case.channel == ChannelKind.COMMENT:
            # The public note is short; the promise goes to the customer in private.
            in_private = replace(case, channel=ChannelKind.PRIVATE)
            details = acknowledgement(in_private, hours, intents, language, now)
        return Acknowledgement(text, details)

    async def mark_unreachable(self, reply: OutboundReply, error: Exception) -> None:
        """``bot.ports.UnreachableHook``: show the agent that the customer cannot be reached
        until they write again."""
        ticket = await self.tickets.current_for(reply.conversation_key)
        if ticket is not None and ticket.is_open:
            await self.tickets.mark_unreachable(
                ticket.id, f"cannot reach the customer until they write again ({error})"
            )
