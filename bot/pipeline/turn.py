"""The context one message carries through the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.conversations import ConversationState
from bot.errors import SwitchboardError
from bot.messages import InboundMessage, OutboundReply
from bot.policy import Decision
from bot.ports import Case
from bot.replies import reply_to
from bot.understanding.result import Understanding


class StopPipeline(SwitchboardError):
    """Raised by a stage that has fully handled the turn; later stages do not run."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Turn:
    message: InboundMessage
    state: ConversationState
    understanding: Understanding | None = None
    decision: Decision | None = None
    replies: list[OutboundReply] = field(default_factory=list)
    case: Case | None = None  # the person's case the hand-over opened
    stopped_by: str = ""

    def reply_id(self) -> str:
        """Replies are keyed on the inbound message, so a redelivery maps to the same ids."""
        return f"{self.message.message_key}:{len(self.replies)}"

    def reply(self, text: str, *, intent: str = "", private_details: str = "") -> None:
        """Answer the turn's message with ``text`` (queued when the turn commits)."""
        self.replies.append(
            reply_to(
                self.message,
                self.reply_id(),
                text,
                intent=intent,
                private_details=private_details,
            )
        )
