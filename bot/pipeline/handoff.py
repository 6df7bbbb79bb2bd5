"""Stage 5 (after decide): open (or reopen) a ticket when the decision is to hand over."""

from __future__ import annotations

import hashlib

from bot.pipeline.turn import Turn
from bot.policy import Handoff
from handoff.customers import CustomerStore
from handoff.tickets import TicketStore, customer_key


class HandoffStage:
    name = "handoff"

    def __init__(self, tickets: TicketStore, customers: CustomerStore) -> None:
        self.tickets = tickets
        self.customers = customers

    async def __call__(self, turn: Turn) -> None:
        if not isinstance(turn.decision, Handoff):
            return
        message, understanding = turn.message, turn.understanding
        customer = await self.customers.get(customer_key(message))
        signals = understanding.to_dict() if understanding is not None else {}
        # The ticket id comes from the message, so a redelivered message finds the ticket it
        # opened the first time instead of opening a second one.
        ticket_id = hashlib.sha1(message.message_key.encode()).hexdigest()[:12]
        ticket, opened = await self.tickets.open(
            ticket_id, message, reason=turn.decision.reason, severity=turn.decision.severity,
            tier=customer.tier, signals=signals,
        )
        if opened:
            await self.customers.count_ticket(customer.key)
        turn.ticket = ticket
