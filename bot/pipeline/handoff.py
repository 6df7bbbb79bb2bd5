"""Stage 5 (after decide): open (or reopen) a person's case when the decision is to hand over."""

from __future__ import annotations

import hashlib

from bot.brain import Brain
from bot.customers import CustomerStore
from bot.pipeline.turn import Turn
from bot.policy import AutoAnswer, Handoff
from bot.ports import HandoffPort
from bot.responder import render
from bot.vocabulary import ChannelKind


class HandoffStage:
    name = "handoff"

    def __init__(
        self, people: HandoffPort, customers: CustomerStore, brain: Brain | None = None
    ) -> None:
        self.people = people
        self.customers = customers
        self.brain = brain

    async def __call__(self, turn: Turn) -> None:
        if not isinstance(turn.decision, Handoff):
            return
        message, understanding = turn.message, turn.understanding
        customer = await self.customers.get(message.customer_key)
        signals = understanding.to_dict() if understanding is not None else {}
        # The message that triggered the hand-over: the one an agent may mark "unnecessary"
        # later, when the case's last message has moved on.
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
                channel=ChannelKind.PRIVATE,
            )
            signals["suggested_reply"] = {"intent": suggested, "text": text}
        # The case id comes from the message, so a redelivered message finds the case it
        # opened the first time instead of opening a second one.
        case_id = hashlib.sha1(message.message_key.encode()).hexdigest()[:12]
        case, opened = await self.people.open_case(
            case_id,
            message,
            reason=turn.decision.reason,
            severity=turn.decision.severity,
            tier=customer.tier,
            signals=signals,
        )
        if opened:
            await self.customers.count_ticket(customer.key)
        turn.case = case
