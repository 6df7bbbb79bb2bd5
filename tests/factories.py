"""Payload factories for tests."""

from __future__ import annotations

import itertools
import time

from bot.messages import InboundMessage, Sender

_ids = itertools.count(1)


def inbound(
    text: str = "退货政策是什么?",
    *,
    conversation: str = "conv-0001",
    message_id: str | None = None,
    platform: str = "webchat",
) -> InboundMessage:
    """A web chat message as the web chat connector builds it."""
    return InboundMessage(
        platform=platform,
        channel="private",
        chat_id=conversation,
        sender=Sender(user_id=conversation, display_name="Test Customer"),
        text=text,
        platform_message_id=message_id or f"m{next(_ids)}",
        timestamp=time.time(),
    )
