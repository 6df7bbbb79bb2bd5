"""Webhook bodies checked before python-telegram-bot sees them: refusals name a field only."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from telegram import Update

from connectors.telegram.shape import MalformedUpdate, check_update
from tests.connectors.telegram import updates

SECRET_TEXT = "my card number is 4111 1111 1111 1111"


@pytest.mark.parametrize(
    "factory",
    [
        lambda: updates.private_text("hello"),
        updates.group_mention,
        updates.reply_to_bot,
        updates.automatic_forward,
        updates.discussion_comment,
        updates.nested_comment,
        updates.edited_message,
        updates.sticker,
        updates.photo,
        updates.voice,
        updates.member_joined,
        updates.bot_blocked,
    ],
)
def test_every_documented_update_shape_passes(factory: Callable[[], dict[str, Any]]) -> None:
    data = factory()
    assert check_update(copy.deepcopy(data)) == data
    assert Update.de_json(data, None).update_id == data["update_id"]


def _without(path: list[str]) -> dict[str, Any]:
    data = copy.deepcopy(updates.private_text(SECRET_TEXT))  # factories share their users
    target = data
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return data


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (_without(["message", "chat"]), "message.chat is missing"),
        (_without(["message", "chat", "type"]), "message.chat has no type"),
        (_without(["message", "message_id"]), "message.message_id is missing"),
        (_without(["message", "date"]), "message.date is missing"),
        (_without(["message", "from", "is_bot"]), "message.from lacks is_bot"),
        ({**updates.private_text(SECRET_TEXT), "message": SECRET_TEXT}, "not an object"),
        (
            {"update_id": 1, "message": {**updates.private_text("x")["message"], "text": 42}},
            "message.text is not a string",
        ),
        ({"update_id": 1, "edited_message": {"message_id": 1, "date": 0}}, "edited_message.chat"),
        ({"update_id": True}, "integer update_id"),
        ({"update_id": "1"}, "integer update_id"),
        ([1, 2], "integer update_id"),
        ({}, "integer update_id"),
        (
            {**updates.bot_blocked(), "my_chat_member": {"chat": {"id": 1, "type": "private"}}},
            "my_chat_member.from",
        ),
        (
            {
                "update_id": 1,
                "message": {
                    **updates.private_text("x")["message"],
                    "reply_to_message": {"message_id": 1, "date": 0},
                },
            },
            "message.reply_to_message.chat",
        ),
    ],
)
def test_a_malformed_update_is_refused_with_a_reason_that_quotes_no_text(
    data: object, reason: str
) -> None:
    with pytest.raises(MalformedUpdate, match=reason) as refused:
        check_update(data)
    assert "4111" not in str(refused.value)


def test_a_lone_surrogate_in_the_text_is_refused() -> None:
    with pytest.raises(MalformedUpdate, match="lone surrogate"):
        check_update(updates.private_text("broken \ud83d text"))
    check_update(updates.private_text("fine \U0001f600 text"))
