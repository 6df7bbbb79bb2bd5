"""Stage 4: the reply, queued for the customer's platform."""

from __future__ import annotations

from bot.brain import Brain
from bot.messages import OutboundReply
from bot.pipeline.turn import Turn
from bot.policy import AutoAnswer
from bot.responder import render


class RespondStage:
    name = "respond"

    def __init__(self, brain: Brain) -> None:
        self.brain = brain

    async def __call__(self, turn: Turn) -> None:
        if turn.decision is None or turn.understanding is None:
            raise RuntimeError("respond ran before decide")
        message = turn.message
        text = render(turn.decision, self.brain.intent_set, turn.understanding.language)
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
            )
        )
