"""Conversation and customer keys: built one way, taken apart the same way."""

from __future__ import annotations

import pytest

from bot.addresses import (
    ConversationAddress,
    customer_key,
    customer_user_id,
    private_conversation_key,
)
from tests.factories import inbound


def test_a_message_names_its_conversation_and_customer() -> None:
    message = inbound("hi", platform="telegram")
    address = ConversationAddress.parse(message.conversation_key)
    assert (address.platform, address.chat_id, address.user_id) == (
        "telegram",
        message.chat_id,
        message.sender.user_id,
    )
    assert address.key == message.conversation_key
    assert address.customer_key == message.customer_key == customer_key("telegram", address.user_id)
    assert customer_user_id(message.customer_key) == message.sender.user_id


def test_a_thread_is_a_conversation_of_its_own() -> None:
    threaded = ConversationAddress("telegram", "-100", "42", "7")
    assert threaded.key == "telegram:-100:42:7"
    assert ConversationAddress.parse(threaded.key) == threaded


def test_a_private_chat_is_keyed_by_the_user_twice() -> None:
    assert private_conversation_key("webchat", "c1") == "webchat:c1:c1"


@pytest.mark.parametrize("bad", ["", "telegram", "telegram:1", "a:b:c:d:e", "telegram::1"])
def test_what_is_no_conversation_key_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="not a conversation key"):
        ConversationAddress.parse(bad)
