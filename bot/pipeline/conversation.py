"""Stage 1: stay out of conversations a person has taken over."""

from __future__ import annotations

from bot.pipeline.turn import StopPipeline, Turn


class ConversationStage:
    name = "conversation"

    async def __call__(self, turn: Turn) -> None:
        turn.state.turns += 1
        turn.state.updated_at = turn.message.timestamp
        if turn.state.owner == "human":
            raise StopPipeline("a person owns this conversation; the bot stays silent")
