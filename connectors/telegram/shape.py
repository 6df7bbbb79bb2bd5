"""Is a webhook body shaped like a Telegram update? Checked before python-telegram-bot sees it.

``Update.de_json`` accepts a message without a chat (and more) and leaves ``None`` where our
intake expects an object, so a malformed update used to fail deep inside with a traceback that
quoted the message. Here the fields we rely on are checked first, and every refusal is one short
reason that names a field, never its content.
"""

from __future__ import annotations

import json
from typing import Any

from bot.errors import RefusedInput

# Updates carrying a Message, and those carrying a ChatMemberUpdated.
_MESSAGE_KINDS = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_message",
    "edited_business_message",
)
_MEMBER_KINDS = ("my_chat_member", "chat_member")


class MalformedUpdate(RefusedInput):
    """Not an update we can take: a 400 with this reason."""


def check_update(data: object) -> dict[str, Any]:
    """``data`` as an update dict, or ``MalformedUpdate`` naming the first problem found."""
    if not isinstance(data, dict) or not _is_int(data.get("update_id")):
        raise MalformedUpdate("not a Telegram Update (no integer update_id)")
    for kind in _MESSAGE_KINDS:
        if kind in data:
            _check_message(data[kind], kind)
    for kind in _MEMBER_KINDS:
        if kind in data:
            _check_member_update(data[kind], kind)
    if not _valid_unicode(data):
        raise MalformedUpdate("the update holds text that is not valid Unicode (a lone surrogate)")
    return data


def _check_message(value: object, where: str, *, nested: bool = False) -> None:
    message = _object(value, where)
    _require_int(message, "message_id", where)
    _require_int(message, "date", where)
    _check_chat(message.get("chat"), f"{where}.chat")
    if "from" in message:
        _check_user(message["from"], f"{where}.from")
    for field in ("text", "caption"):
        if field in message and not isinstance(message[field], str):
            raise MalformedUpdate(f"{where}.{field} is not a string")
    reply = message.get("reply_to_message")
    if reply is not None and not nested:  # Telegram nests one level only
        _check_message(reply, f"{where}.reply_to_message", nested=True)


def _check_member_update(value: object, where: str) -> None:
    change = _object(value, where)
    _check_chat(change.get("chat"), f"{where}.chat")
    _check_user(change.get("from"), f"{where}.from")
    _require_int(change, "date", where)
    for field in ("old_chat_member", "new_chat_member"):
        member = _object(change.get(field), f"{where}.{field}")
        if not isinstance(member.get("status"), str):
            raise MalformedUpdate(f"{where}.{field} has no status")
        _check_user(member.get("user"), f"{where}.{field}.user")


def _check_chat(value: object, where: str) -> None:
    chat = _object(value, where)
    _require_int(chat, "id", where)
    if not isinstance(chat.get("type"), str):
        raise MalformedUpdate(f"{where} has no type")


def _check_user(value: object, where: str) -> None:
    user = _object(value, where)
    _require_int(user, "id", where)
    if not isinstance(user.get("is_bot"), bool) or not isinstance(user.get("first_name"), str):
        raise MalformedUpdate(f"{where} lacks is_bot or first_name")


def _object(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedUpdate(f"{where} is missing or not an object")
    return value


def _require_int(data: dict[str, Any], field: str, where: str) -> None:
    if not _is_int(data.get(field)):
        raise MalformedUpdate(f"{where}.{field} is missing or not an integer")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _valid_unicode(data: dict[str, Any]) -> bool:
    # The JSON was decoded from UTF-8, so only a "\ud800"-style escape can smuggle in a lone
    # surrogate; it would fail later, when the message is stored. Depth is bounded upstream.
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
