"""Stage 1: count the customer's message; stay silent while a person owns the conversation."""

from __future__ import annotations

from bot.customers import CustomerStore
from bot.pipeline.turn import StopPipeline, Turn
from bot.ports import HandoffPort
from bot.understanding.language import detect_language


class ConversationStage:
    name = "conversation"

    def __init__(self, people: HandoffPort | None, customers: CustomerStore) -> None:
        self.people = people
        self.customers = customers

    async def __call__(self, turn: Turn) -> None:
        message = turn.message
        turn.state.turns += 1
        turn.state.updated_at = message.timestamp
        await self.customers.seen(
            message.customer_key, message.sender.display_name, message.timestamp
        )
        if self.people is None:
            return
        case = await self.people.current_case(message.conversation_key)
        if case is not None and case.is_open:
            # The conversation's language is the customer's latest, also while a person
            # answers: the satisfaction question and the bot's next answers follow it.
            turn.state.language = detect_language(message.text, default="") or turn.state.language
            # The message is already in the transcript the agent reads; tell their console.
            await self.people.customer_wrote(case.id, message)
            raise StopPipeline(f"case {case.id} is open; a person answers, the bot is silent")
