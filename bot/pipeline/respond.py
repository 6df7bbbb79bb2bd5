"""Stage 4: the reply, queued for the customer's platform."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from bot.brain import Brain
from bot.messages import OutboundReply
from bot.pipeline.turn import Turn
from bot.policy import AutoAnswer, Handoff
from bot.responder import render
from handoff.acks import acknowledgement
from handoff.customers import CustomerStore
from handoff.tickets import TicketStore, customer_key


class RespondStage:
    name = "respond"

    def __init__(
        self,
        brain: Brain,
        tickets: TicketStore | None = None,
        customers: CustomerStore | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.brain = brain
        self.tickets = tickets
        self.customers = customers
        self.clock = clock

    async def __call__(self, turn: Turn) -> None:
        if turn.decision is None or turn.understanding is None:
            raise RuntimeError("respond ran before decide")
        message = turn.message
        language = turn.understanding.language
        details = ""
        if isinstance(turn.decision, Handoff) and turn.ticket is not None and self.tickets:
            hours = self.tickets.hours[turn.ticket.team]
            text = acknowledgement(
                turn.ticket, hours, self.brain.intent_set, language, self.clock()
            )
            if turn.ticket.channel == "comment":
                in_private = replace(turn.ticket, channel="private")
                details = acknowledgement(
                    in_private, hours, self.brain.intent_set, language, self.clock()
                )
        else:
            tier = ""
            if self.customers is not None and isinstance(turn.decision, AutoAnswer):
                tier = (await self.customers.get(customer_key(message))).tier
            text = render(
                turn.decision, self.brain.intent_set, language, tier=tier, channel=message.channel
            )
        intent = turn.decision.intent if isinstance(turn.decision, AutoAnswer) else ""
        turn.replies.append(
            OutboundReply(
                reply_id=turn.reply_id(),
                platform=message.platform,
                conversation_key=message.conversation_key,
                chat_id=message.chat_id,
                text=text,
                channel=message.channel,
                in_reply_to=message.platform_message_id,
                thread_id=message.thread_id,
                intent=intent,
                user_id=message.sender.user_id,
                private_details=details,
            )
        )
