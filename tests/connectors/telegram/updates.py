"""Update payloads shaped like the Bot API's documented JSON (https://core.telegram.org/bots/api).

Each factory returns the ``Update`` object as Telegram sends it to a webhook or in getUpdates.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

TOKEN = "7000001:AAH-test-token_for_the_standin-0123456789"
BOT = {"id": 7000001, "is_bot": True, "first_name": "Brand Bot", "username": "brand_bot"}
CUSTOMER = {
    "id": 5550001,
    "is_bot": False,
    "first_name": "Li",
    "last_name": "Wei",
    "username": "liwei",
    "language_code": "zh-hans",
}
OTHER_CUSTOMER = {"id": 5550002, "is_bot": False, "first_name": "Anna", "language_code": "en"}
GROUP = {"id": -1001234567890, "title": "Brand fans", "type": "supergroup"}
FORUM = {"id": -1001234500000, "title": "Brand help desk", "type": "supergroup", "is_forum": True}
CHANNEL = {"id": -1001111111111, "title": "Brand news", "username": "brand_news", "type": "channel"}
DISCUSSION = {"id": -1009876543210, "title": "Brand news chat", "type": "supergroup"}
# Telegram's service account, the sender of automatic forwards into discussion groups.
TELEGRAM_SERVICE = {"id": 777000, "is_bot": False, "first_name": "Telegram"}
POST_IN_DISCUSSION = 77  # the channel post's automatic forward in the discussion group

_update_ids = itertools.count(800_000_001)
_message_ids = itertools.count(101)


def next_update_id() -> int:
    return next(_update_ids)


def _private_chat(user: dict[str, Any]) -> dict[str, Any]:
    chat = {"id": user["id"], "first_name": user["first_name"], "type": "private"}
    if "username" in user:
        chat["username"] = user["username"]
    return chat


def _message(chat: dict[str, Any], user: dict[str, Any], **content: Any) -> dict[str, Any]:
    return {
        "message_id": content.pop("message_id", None) or next(_message_ids),
        "from": user,
        "chat": chat,
        "date": int(time.time()),
        **content,
    }


def _update(
    message: dict[str, Any], kind: str = "message", update_id: int | None = None
) -> dict[str, Any]:
    return {"update_id": update_id or next_update_id(), kind: message}


def private_text(text: str, *, user: dict[str, Any] = CUSTOMER, **extra: Any) -> dict[str, Any]:
    content: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        command = text.split()[0]
        content["entities"] = [{"offset": 0, "length": len(command), "type": "bot_command"}]
    return _update(_message(_private_chat(user), user, **content), **extra)


def group_mention(
    text: str = "what is your return policy?",
    *,
    user: dict[str, Any] = CUSTOMER,
    chat: dict[str, Any] = GROUP,
    **extra: Any,
) -> dict[str, Any]:
    mention = f"@{BOT['username']}"
    content: dict[str, Any] = {
        "text": f"{mention} {text}",
        "entities": [{"offset": 0, "length": len(mention), "type": "mention"}],
    }
    if chat.get("is_forum"):
        content.update(message_thread_id=5, is_topic_message=True)
    return _update(_message(chat, user, **content), **extra)


def group_chatter(text: str = "anyone watching the match?") -> dict[str, Any]:
    return _update(_message(GROUP, OTHER_CUSTOMER, text=text))


def reply_to_bot(
    text: str = "and how long does shipping take?", *, user: dict[str, Any] = CUSTOMER
) -> dict[str, Any]:
    bot_message = _message(GROUP, BOT, text="Our return policy: ...")
    return _update(
        _message(
            GROUP,
            user,
            text=text,
            reply_to_message=bot_message,
            message_thread_id=bot_message["message_id"],
        )
    )


def automatic_forward(text: str = "Our spring collection is here!") -> dict[str, Any]:
    """The channel post as it appears in the discussion group (comments hang under it)."""
    return _update(_post_forward(text))


def _post_forward(text: str) -> dict[str, Any]:
    return _message(
        DISCUSSION,
        TELEGRAM_SERVICE,
        message_id=POST_IN_DISCUSSION,
        sender_chat=CHANNEL,
        is_automatic_forward=True,
        text=text,
        forward_origin={
            "type": "channel",
            "chat": CHANNEL,
            "message_id": 12,
            "date": int(time.time()) - 60,
        },
        forward_from_chat=CHANNEL,
        forward_from_message_id=12,
        forward_date=int(time.time()) - 60,
    )


def discussion_comment(
    text: str = "my order arrived broken, this is unacceptable",
    *,
    user: dict[str, Any] = CUSTOMER,
    **extra: Any,
) -> dict[str, Any]:
    """A comment under the channel post: a reply to its automatic forward, in its thread."""
    return _update(
        _message(
            DISCUSSION,
            user,
            text=text,
            message_thread_id=POST_IN_DISCUSSION,
            reply_to_message=_post_forward("Our spring collection is here!"),
        ),
        **extra,
    )


def nested_comment(text: str = "same here", *, parent_id: int = 150) -> dict[str, Any]:
    """A reply to another comment in the post's thread (its parent is not the post)."""
    parent = _message(
        DISCUSSION,
        OTHER_CUSTOMER,
        message_id=parent_id,
        text="mine too",
        message_thread_id=POST_IN_DISCUSSION,
    )
    return _update(
        _message(
            DISCUSSION,
            CUSTOMER,
            text=text,
            reply_to_message=parent,
            message_thread_id=POST_IN_DISCUSSION,
        )
    )


def edited_message(text: str = "what is your return policy??") -> dict[str, Any]:
    message = _message(_private_chat(CUSTOMER), CUSTOMER, text=text)
    message["edit_date"] = message["date"] + 5
    return _update(message, kind="edited_message")


def sticker(emoji: str = "😀") -> dict[str, Any]:
    return _update(
        _message(
            _private_chat(CUSTOMER),
            CUSTOMER,
            sticker={
                "file_id": "CAACAgIAAxkBAAIBQ2Zsticker",
                "file_unique_id": "AgADsticker",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": emoji,
                "set_name": "BrandStickers",
                "file_size": 23000,
            },
        )
    )


def photo(caption: str | None = None) -> dict[str, Any]:
    content: dict[str, Any] = {
        "photo": [
            {
                "file_id": "AgACAgIAAxkBphoto-small",
                "file_unique_id": "AQADsmall",
                "file_size": 1200,
                "width": 90,
                "height": 67,
            },
            {
                "file_id": "AgACAgIAAxkBphoto-large",
                "file_unique_id": "AQADlarge",
                "file_size": 84000,
                "width": 1280,
                "height": 960,
            },
        ]
    }
    if caption:
        content["caption"] = caption
    return _update(_message(_private_chat(CUSTOMER), CUSTOMER, **content))


def voice() -> dict[str, Any]:
    return _update(
        _message(
            _private_chat(CUSTOMER),
            CUSTOMER,
            voice={
                "file_id": "AwACAgIAAxkBvoice",
                "file_unique_id": "AgADvoice",
                "duration": 4,
                "mime_type": "audio/ogg",
                "file_size": 9000,
            },
        )
    )


def member_joined() -> dict[str, Any]:
    return _update(
        _message(
            GROUP,
            OTHER_CUSTOMER,
            new_chat_members=[OTHER_CUSTOMER],
            new_chat_member=OTHER_CUSTOMER,
            new_chat_participant=OTHER_CUSTOMER,
        )
    )


def bot_blocked(user: dict[str, Any] = CUSTOMER, status: str = "kicked") -> dict[str, Any]:
    """my_chat_member: the user blocked ("kicked") or unblocked ("member") the bot."""
    old, new = ("member", "kicked") if status == "kicked" else ("kicked", "member")
    change: dict[str, Any] = {
        "chat": _private_chat(user),
        "from": user,
        "date": int(time.time()),
        "old_chat_member": {"user": BOT, "status": old},
        "new_chat_member": {"user": BOT, "status": new},
    }
    for member in (change["old_chat_member"], change["new_chat_member"]):
        if member["status"] == "kicked":
            member["until_date"] = 0  # banned for good
    return _update(change, kind="my_chat_member")
