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


def handoff_signals(
    text: str = "我的退款十几天了还没到，气死了",
    *,
    person_reason: str = "complaint 0.94",
    triage: dict[str, float] | None = None,
    suggested: tuple[str, str] | None = ("refund_status", "退款一般3-5个工作日到账。"),
    language: str = "zh",
) -> dict[str, Any]:
    """A ticket's signals as the pipeline's handoff stage stores them after the triage asked
    for a person (``Understanding.to_dict()`` plus the triggering message and a suggestion)."""
    scores = triage or {
        "complaint": 0.94,
        "negative": 0.03,
        "neutral": 0.02,
        "human_request": 0.01,
        "chitchat": 0.0,
        "crisis": 0.0,
        "abuse": 0.0,
    }
    signals: dict[str, Any] = {
        "intent": suggested[0] if suggested else None,
        "confidence": 0.91,
        "ranking": [{"intent": suggested[0] if suggested else "", "confidence": 0.91}],
        "language": language,
        "negativity": 0.97,
        "severity": "negative",
        "reasons": [],
        "assessment_reasons": [person_reason],
        "triage": scores,
        "person_reason": person_reason,
        "message": text,
    }
    if suggested:
        signals["suggested_reply"] = {"intent": suggested[0], "text": suggested[1]}
    return signals


_reply_numbers = itertools.count(1)


def outbound(text: str, *, conversation_key: str = "webchat:c1:c1", **fields: Any) -> OutboundReply:
    """A reply as the pipeline writes it to the outbox, with a fresh reply id."""
    platform, chat_id, _ = conversation_key.split(":", 2)
    return OutboundReply(
        reply_id=f"{conversation_key}:r{next(_reply_numbers)}",
        platform=platform,
        conversation_key=conversation_key,
        chat_id=chat_id,
        text=text,
        **fields,
    )
