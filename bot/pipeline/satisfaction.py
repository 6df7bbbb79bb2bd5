"""Stage 1b: a 1-5 answer to the satisfaction question after a resolved case is a rating."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from bot.brain import Brain
from bot.messages import OutboundReply
from bot.pipeline.turn import StopPipeline, Turn
from bot.responder import pick_text
from bot.understanding.language import detect_language
from handoff.tickets import TicketStore

_SCORE = re.compile(r"^\s*([1-5])\s*(分|星|stars?|/5)?\s*[.!。！]?\s*$", re.IGNORECASE)


class SatisfactionStage:
    name = "satisfaction"

    def __init__(
        self,
        brain: Brain,
        tickets: TicketStore,
        grace_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.brain = brain
        self.tickets = tickets
        self.grace_seconds = grace_seconds
        self.clock = clock

    async def __call__(self, turn: Turn) -> None:
        match = _SCORE.match(turn.message.text)
        if match is None:
            return
        ticket = await self.tickets.current_for(turn.message.conversation_key)
        if (
            ticket is None
            or not ticket.csat_requested
            or ticket.csat is not None
            or ticket.resolved_at is None
            or self.clock() - ticket.resolved_at > self.grace_seconds
        ):
            return
        await self.tickets.record_csat(ticket.id, int(match.group(1)))
        language = turn.state.language or detect_language(turn.message.text, default="zh")
        thanks = self.brain.intent_set.system.get("csat_thanks", {"en": "Thank you!"})
        message = turn.message
        turn.replies.append(
            OutboundReply(
                reply_id=turn.reply_id(),
                platform=message.platform,
                conversation_key=message.conversation_key,
                chat_id=message.chat_id,
                text=pick_text(thanks, language),
                channel=message.channel,
                in_reply_to=message.platform_message_id,
                thread_id=message.thread_id,
            )
        )
        raise StopPipeline(f"satisfaction rating {match.group(1)} for ticket {ticket.id}")
