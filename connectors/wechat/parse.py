"""Official-account pushes -> ``InboundMessage``, through wechatpy's ``parse_message``.

Only text (and voice with WeChat's recognition text) is classifier text. Other kinds are queued
with a readable line for the transcript and a ``MessageKind`` that later stages act on:

- ``MEDIA`` with detail ``image`` / ``voice`` / ``video`` / ``location`` / ``link``
- ``VOICE_TEXT``: a voice message whose ``text`` is WeChat's speech recognition
- ``SUBSCRIBE`` (welcome), ``MENU_CLICK`` with the EventKey as detail (a custom menu click)

Unsubscribes are not queued (the user can no longer be messaged); other events and unknown
message types are logged and acknowledged, never an error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from wechatpy import parse_message
from wechatpy.messages import BaseMessage

from bot.messages import InboundMessage, Sender
from bot.vocabulary import MessageKind

logger = logging.getLogger(__name__)

PLATFORM = "wechat"

Trigger = Literal["message", "event"]


@dataclass(frozen=True, slots=True)
class Push:
    """What one push means for us."""

    message: InboundMessage | None  # queued for the pipeline, when set
    opens: Trigger | None = None  # the customer-service budget this interaction grants
    unsubscribed: bool = False
    user_id: str = ""


def normalize(plain_xml: str) -> Push:
    """Interpret a decrypted, already vetted push (see ``safexml.read_xml``)."""
    msg = parse_message(plain_xml)
    if msg is None:
        return Push(message=None)
    user = str(msg.source or "")
    if str(msg._data.get("MsgType", "")).lower() == "event":
        return _event(msg, user)
    built = _message(msg)
    if built is None:
        logger.info("Ignoring WeChat message of unknown type %r", msg._data.get("MsgType"))
        return Push(message=None, user_id=user)
    text, kind, detail = built
    message_id = str(msg.id) if msg.id else event_id(msg)
    message = _inbound(msg, text, message_id, kind, detail)
    return Push(message=message, opens="message", user_id=user)


def event_id(msg: BaseMessage) -> str:
    """Events carry no MsgId: WeChat's documented dedupe key is FromUserName + CreateTime."""
    return f"{msg.source}:{msg.time}:{msg._data.get('Event', '')}"


def _message(msg: BaseMessage) -> tuple[str, MessageKind, str] | None:
    kind, media = msg.type, MessageKind.MEDIA
    if kind == "text":
        return str(msg.content or ""), MessageKind.TEXT, ""
    if kind == "voice":
        if msg.recognition:
            return str(msg.recognition), MessageKind.VOICE_TEXT, ""
        return "[voice]", media, "voice"
    if kind == "image":
        return f"[image] {msg.image or ''}".strip(), media, "image"
    if kind in ("video", "shortvideo"):
        return "[video]", media, "video"
    if kind == "location":
        where = f"[location] {msg.label or ''} ({msg.location_x}, {msg.location_y})"
        return where, media, "location"
    if kind == "link":
        return f"[link] {msg.title or ''} {msg.url or ''}".strip(), media, "link"
    return None


def _event(msg: BaseMessage, user: str) -> Push:
    event = str(msg._data.get("Event", "")).lower()
    if event == "unsubscribe":
        return Push(message=None, unsubscribed=True, user_id=user)
    if event in ("subscribe", "subscribe_scan"):
        message = _inbound(msg, "[subscribe]", event_id(msg), MessageKind.SUBSCRIBE)
        return Push(message=message, opens="event", user_id=user)
    if event == "click":
        key = str(msg._data.get("EventKey", ""))
        return Push(
            message=_inbound(msg, key, event_id(msg), MessageKind.MENU_CLICK, key),
            opens="event",
            user_id=user,
        )
    if event == "scan":
        return Push(message=None, opens="event", user_id=user)
    logger.info("Acknowledging WeChat event %r without queueing it", event)
    return Push(message=None, user_id=user)


def _inbound(
    msg: BaseMessage, text: str, message_id: str, kind: MessageKind, detail: str = ""
) -> InboundMessage:
    user = str(msg.source)
    return InboundMessage(
        platform=PLATFORM,
        channel="private",
        chat_id=user,
        sender=Sender(user_id=user),
        text=text,
        platform_message_id=message_id,
        timestamp=float(msg.time or 0),
        kind=kind,
        detail=detail,
    )
