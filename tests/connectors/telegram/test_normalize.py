from __future__ import annotations

from typing import Any

import pytest
from telegram import Update

from bot.messages import InboundMessage
from bot.vocabulary import MessageKind
from connectors.telegram import ids
from connectors.telegram.client import BotIdentity
from connectors.telegram.normalize import Ignored, normalize
from tests.connectors.telegram import updates

ME = BotIdentity(id=updates.BOT["id"], username=updates.BOT["username"])


def _normalize(payload: dict[str, Any], **kwargs: Any) -> InboundMessage | Ignored:
    return normalize(Update.de_json(payload, None), ME, **kwargs)


def _message(payload: dict[str, Any], **kwargs: Any) -> InboundMessage:
    result = _normalize(payload, **kwargs)
    assert isinstance(result, InboundMessage), result
    return result


def test_a_private_message_is_a_private_conversation_with_the_customer() -> None:
    payload = updates.private_text("退货政策是什么?")
    message = _message(payload)
    assert (message.platform, message.channel, message.text) == (
        "telegram",
        "private",
        "退货政策是什么?",
    )
    assert message.chat_id == str(updates.CUSTOMER["id"])
    assert message.sender.display_name == "Li Wei"
    assert message.sender.username == "liwei"
    assert message.conversation_key == f"telegram:{updates.CUSTOMER['id']}:{updates.CUSTOMER['id']}"
    update_id, message_id = payload["update_id"], payload["message"]["message_id"]
    assert message.platform_message_id == f"u{update_id}-m{message_id}"
    assert ids.message_id_of(message.platform_message_id) == message_id
    assert (message.kind, message.detail) == (MessageKind.TEXT, "")


def test_a_group_mention_is_a_comment_keyed_by_chat_and_user_without_the_mention() -> None:
    message = _message(updates.group_mention("what is your return policy?"))
    assert message.channel == "comment"
    assert message.text == "what is your return policy?"
    assert message.thread_id == ""
    assert message.conversation_key == (f"telegram:{updates.GROUP['id']}:{updates.CUSTOMER['id']}")


def test_two_customers_in_one_group_are_two_conversations() -> None:
    first = _message(updates.group_mention(user=updates.CUSTOMER))
    second = _message(updates.group_mention(user=updates.OTHER_CUSTOMER))
    assert first.conversation_key != second.conversation_key


def test_a_reply_to_the_bot_is_a_comment_and_a_plain_reply_chain_is_not_a_thread() -> None:
    payload = updates.reply_to_bot()
    message = _message(payload)
    assert message.channel == "comment"
    assert message.thread_id == ""
    assert message.reply_to == str(payload["message"]["reply_to_message"]["message_id"])


def test_group_chatter_not_for_the_bot_is_ignored() -> None:
    assert isinstance(_normalize(updates.group_chatter()), Ignored)


def test_a_comment_under_a_channel_post_is_a_comment_in_the_posts_thread() -> None:
    message = _message(updates.discussion_comment())
    assert message.channel == "comment"
    assert message.chat_id == str(updates.DISCUSSION["id"])
    assert message.thread_id == ids.post_thread(updates.POST_IN_DISCUSSION)
    assert message.conversation_key.endswith(f":{updates.CUSTOMER['id']}:post77")


def test_a_nested_comment_counts_only_in_a_thread_known_to_be_a_posts() -> None:
    assert isinstance(_normalize(updates.nested_comment()), Ignored)
    message = _message(updates.nested_comment(), known_post_thread=True)
    assert message.thread_id == "post77"


def test_a_mention_in_a_forum_topic_is_keyed_by_the_topic() -> None:
    message = _message(updates.group_mention(chat=updates.FORUM))
    assert message.thread_id == ids.topic_thread(5)


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (updates.edited_message(), "edited"),
        (updates.member_joined(), "service message"),
        (updates.automatic_forward(), "channel post"),
        (updates.bot_blocked(), "not handled"),
    ],
)
def test_updates_that_are_not_customer_messages_are_ignored_with_a_reason(
    payload: dict[str, Any], reason: str
) -> None:
    result = _normalize(payload)
    assert isinstance(result, Ignored)
    assert reason in result.reason


def test_a_sticker_is_described_and_marked_as_media() -> None:
    message = _message(updates.sticker("😀"))
    assert message.text == "[sticker 😀]"
    assert (message.kind, message.detail) == (
        MessageKind.MEDIA,
        "sticker:CAACAgIAAxkBAAIBQ2Zsticker",
    )


def test_a_photo_refers_to_its_largest_size_and_keeps_the_caption() -> None:
    message = _message(updates.photo(caption="the box was crushed"))
    assert message.text == "[photo] the box was crushed"
    assert (message.kind, message.detail) == (MessageKind.MEDIA, "photo:AgACAgIAAxkBphoto-large")
    assert _message(updates.photo()).text == "[photo]"


def test_a_voice_message_is_media() -> None:
    voice = _message(updates.voice())
    assert voice.kind is MessageKind.MEDIA and voice.detail.startswith("voice:")


def test_start_is_marked_as_a_command() -> None:
    message = _message(updates.private_text("/start promo-42"))
    assert (message.text, message.kind, message.detail) == (
        "/start promo-42",
        MessageKind.COMMAND,
        "start",
    )


def test_a_bare_mention_keeps_its_text() -> None:
    message = _message(updates.group_mention(""))
    assert message.text == "@brand_bot"
