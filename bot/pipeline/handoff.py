"""Stage 5 (after decide): open (or reopen) a ticket when the decision is to hand over."""

from __future__ import annotations

import hashlib

from bot.brain import Brain
from bot.pipeline.turn import Turn
from bot.policy import AutoAnswer, Handoff
from bot.responder import render
from handoff.customers import CustomerStore
from handoff.tickets import TicketStore, customer_key


class HandoffStage:
    name = "handoff"

    def __init__(
        self, tickets: TicketStore, customers: CustomerStore, brain: Brain | None = None
    ) -> None:
        self.tickets = tickets
        self.customers = customers
        self.brain = brain

    async def __call__(self, turn: Turn) -> None:
        if not isinstance(turn.decision, Handoff):
            return
        message, understanding = turn.message, turn.understanding
        customer = await self.customers.get(customer_key(message))
        signals = understanding.to_dict() if understanding is not None else {}
        # The message that triggered the hand-over: the one an agent may mark "unnecessary"
        # later, when the ticket's last message has moved on.
        signals["message"] = message.text
        suggested = turn.decision.suggested_intent
        if suggested and self.brain is not None and understanding is not None:
            # The FAQ answer the customer would have got: one click for the agent, who sees
            # whether it fits an unhappy customer; it is never sent automatically.
            text = render(
                AutoAnswer(suggested),
                self.brain.intent_set,
                understanding.language,
                tier=customer.tier,
                channel="private",
            )
            signals["suggested_reply"] = {"intent": suggested, "text": text}
        # The ticket id comes from the message, so a redelivered message finds the ticket it
        # opened the first time instead of opening a second one.
        ticket_id = hashlib.sha1(message.message_key.encode()).hexdigest()[:12]
        ticket, opened = await self.tickets.open(
            ticket_id,
            message,
            reason=turn.decision.reason,
            severity=turn.decision.severity,
            tier=customer.tier,
            signals=signals,
        )
        if opened:
            await self.customers.count_ticket(customer.key)
        turn.ticket = ticket
