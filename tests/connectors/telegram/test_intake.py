from __future__ import annotations

from typing import Any

from redis.asyncio import Redis
from telegram import Update

from bot import keys
from bot.inbox import Inbox
from bot.messages import InboundMessage
from bot.settings import InboxSettings
from bot.vocabulary import MessageKind
from connectors.telegram.client import BotIdentity
from connectors.telegram.intake import TelegramIntake
from connectors.telegram.private_chats import PrivateChats
from tests.connectors.telegram import updates

ME = BotIdentity(id=updates.BOT["id"], username=updates.BOT["username"])


def _intake(redis: Redis) -> TelegramIntake:
    return TelegramIntake(redis, Inbox(redis, InboxSettings(), "test"))


async def _handle(redis: Redis, payload: dict[str, Any]) -> bool | None:
    accepted = await _intake(redis).handle(Update.de_json(payload, None), ME)
    return None if accepted is None else not accepted.duplicate


async def test_an_update_delivered_three_times_is_queued_once(redis_client: Redis) -> None:
    payload = updates.private_text("hello")
    assert [await _handle(redis_client, payload) for _ in range(3)] == [True, False, False]
    assert await redis_client.xlen(keys.INBOX_STREAM) == 1


async def test_ignored_updates_queue_nothing(redis_client: Redis) -> None:
    for payload in (
        updates.edited_message(),
        updates.member_joined(),
        updates.group_chatter(),
        updates.automatic_forward(),
    ):
        assert await _handle(redis_client, payload) is None
    assert await redis_client.exists(keys.INBOX_STREAM) == 0


async def test_a_private_message_opens_the_private_chat_and_a_block_closes_it(
    redis_client: Redis,
) -> None:
    chats, user = PrivateChats(redis_client), str(updates.CUSTOMER["id"])
    assert not await chats.has(user)
    await _handle(redis_client, updates.discussion_comment())
    assert not await chats.has(user)  # a public comment is not a private chat
    await _handle(redis_client, updates.private_text("hi"))
    assert await chats.has(user)
    await _handle(redis_client, updates.bot_blocked(status="kicked"))
    assert not await chats.has(user)
    await _handle(redis_client, updates.bot_blocked(status="member"))
    assert await chats.has(user)


async def test_a_thread_seen_under_a_post_takes_nested_comments(redis_client: Redis) -> None:
    assert await _handle(redis_client, updates.nested_comment()) is None
    await _handle(redis_client, updates.automatic_forward())
    assert await _handle(redis_client, updates.nested_comment()) is True


async def test_media_are_queued_marked_as_media(redis_client: Redis) -> None:
    await _handle(redis_client, updates.sticker())
    [(_, fields)] = await redis_client.xrange(keys.INBOX_STREAM)
    message = InboundMessage.from_json(fields["msg"])
    assert (message.text, message.kind) == ("[sticker 😀]", MessageKind.MEDIA)
    assert message.detail.startswith("sticker")
