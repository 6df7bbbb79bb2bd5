"""How Telegram ids travel through the platform-neutral message types.

- ``InboundMessage.platform_message_id`` is ``u<update_id>-m<message_id>``. The update id makes
  it the dedupe key (a webhook or poll redelivery carries the same update id); the message id
  comes back in ``OutboundReply.in_reply_to``, so the sender can reply to that very message.
- ``InboundMessage.thread_id`` is ``post<id>`` for the comments under a channel post (the
  thread root is the post's automatic forward in the discussion group) and ``topic<id>`` for a
  forum topic; empty otherwise. The two are sent differently (see ``sender.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MESSAGE_ID = re.compile(r"u(-?\d+)-m(\d+)")
_THREAD_ID = re.compile(r"(post|topic)(\d+)")


def platform_message_id(update_id: int, message_id: int) -> str:
    return f"u{update_id}-m{message_id}"


def message_id_of(platform_message_id: str) -> int | None:
    """The Telegram message id inside ``platform_message_id`` (None if it carries none)."""
    match = _MESSAGE_ID.fullmatch(platform_message_id)
    return int(match.group(2)) if match else None


def post_thread(message_thread_id: int) -> str:
    return f"post{message_thread_id}"


def topic_thread(message_thread_id: int) -> str:
    return f"topic{message_thread_id}"


@dataclass(frozen=True, slots=True)
class Thread:
    kind: str  # "post" (comments under a channel post) or "topic" (forum topic)
    message_thread_id: int


def thread_of(thread_id: str) -> Thread | None:
    match = _THREAD_ID.fullmatch(thread_id)
    return Thread(match.group(1), int(match.group(2))) if match else None
