"""Stage 6: the reply, queued for the customer's platform."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.brain import Brain
from bot.customers import CustomerStore
from bot.pipeline.turn import Turn
from bot.policy import AutoAnswer, Handoff
from bot.ports import Acknowledgement, HandoffPort
from bot.responder import render


class RespondStage:
    name = "respond"

    def __init__(
        self,
        brain: Brain,
        people: HandoffPort | None = None,
        customers: CustomerStore | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.brain = brain
        self.people = people
        self.customers = customers
        self.clock = clock

    async def __call__(self, turn: Turn) -> None:
        if turn.decision is None or turn.understanding is None:
            raise RuntimeError("respond ran before decide")
        language = turn.understanding.language
        if isinstance(turn.decision, Handoff) and turn.case is not None and self.people:
            # Tier, severity, SLA promise and business hours: the people's side knows them.
            ack = self.people.acknowledgement(
                turn.case, self.brain.intent_set, language, self.clock()
            )
        else:
            tier = ""
            if self.customers is not None and isinstance(turn.decision, AutoAnswer):
                tier = (await self.customers.get(turn.message.customer_key)).tier
            text = render(
                turn.decision,
                self.brain.intent_set,
                language,
                tier=tier,
                channel=turn.message.channel,
            )
            ack = Acknowledgement(text)
        intent = turn.decision.intent if isinstance(turn.decision, AutoAnswer) else ""
        turn.reply(ack.text, intent=intent, private_details=ack.private_details)
