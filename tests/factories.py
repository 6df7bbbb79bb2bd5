"""Payload factories for tests."""

from __future__ import annotations

import itertools
import time
from typing import Any

from bot.messages import InboundMessage, OutboundReply, Sender

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


_reply_numbers = itertools.count(1)


def outbound(
    text: str, *, conversation_key: str = "webchat:c1:c1", **fields: Any
) -> OutboundReply:
    """A reply as the pipeline writes it to the outbox, with a fresh reply id."""
    platform, chat_id, _ = conversation_key.split(":", 2)
    return OutboundReply(reply_id=f"{conversation_key}:r{next(_reply_numbers)}",
                         platform=platform, conversation_key=conversation_key, chat_id=chat_id,
                         text=text, **fields)
