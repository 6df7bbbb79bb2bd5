"""Stage 1: count the customer's message; stay silent while a person owns the conversation."""

from __future__ import annotations

from bot.pipeline.turn import StopPipeline, Turn
from bot.understanding.language import detect_language
from handoff.customers import CustomerStore
from handoff.tickets import TicketStore, customer_key


class ConversationStage:
    name = "conversation"

    def __init__(self, tickets: TicketStore, customers: CustomerStore) -> None:
        self.tickets = tickets
        self.customers = customers

    async def __call__(self, turn: Turn) -> None:
        message = turn.message
        turn.state.turns += 1
        turn.state.updated_at = message.timestamp
        await self.customers.seen(
            customer_key(message), message.sender.display_name, message.timestamp
        )
        ticket = await self.tickets.current_for(message.conversation_key)
        if ticket is not None and ticket.is_open:
            # The conversation's language is the customer's latest, also while a person
            # answers: the satisfaction question and the bot's next answers follow it.
            turn.state.language = detect_language(message.text, default="") or turn.state.language
            # The message is already in the transcript the agent reads; tell their console.
            await self.tickets.customer_wrote(ticket.id, message)
            raise StopPipeline(f"ticket {ticket.id} is open; a person answers, the bot is silent")
