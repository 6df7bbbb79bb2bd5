"""The sending half against the Bot API stand-in, through the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from telegram.error import NetworkError

from bot import keys
from bot.addresses import private_conversation_key
from bot.messages import OutboundReply
from bot.send_guard import DeliveryInDoubt
from bot.transcript import Transcripts
from connectors.telegram import ids
from connectors.telegram.private_chats import PrivateChats
from connectors.telegram.sender import (
    MAX_MESSAGE_CHARS,
    TelegramRefused,
    TelegramSender,
)
from connectors.telegram.settings import TelegramSettings
from tests.connectors.telegram import updates
from tests.connectors.telegram.standin import TelegramStandIn

USER = updates.CUSTOMER["id"]
GROUP = updates.DISCUSSION["id"]
_reply_ids = itertools.count(1)


def _reply(
    chat_id: int = USER, text: str = "Returns are free within 7 days.", **fields: object
) -> OutboundReply:
    return OutboundReply(
        reply_id=f"telegram:test-{next(_reply_ids)}:0",
        platform="telegram",
        conversation_key=str(fields.pop("conversation_key", f"telegram:{chat_id}:{USER}")),
        chat_id=str(chat_id),
        text=text,
        **fields,  # type: ignore[arg-type]
    )


def _sender(redis: Redis, settings: TelegramSettings) -> TelegramSender:
    return TelegramSender(
        redis, Transcripts(redis, 100, reply_ttl_seconds=600), settings, claim_ttl_seconds=600
    )


@pytest.fixture
async def sender(
    redis_client: Redis, telegram_settings: TelegramSettings
) -> AsyncIterator[TelegramSender]:
    sender = _sender(redis_client, telegram_settings)
    yield sender
    await sender.close()


async def test_a_private_reply_is_a_plain_message_in_the_chat(
    sender: TelegramSender, standin: TelegramStandIn, redis_client: Redis
) -> None:
    reply = _reply(in_reply_to=ids.platform_message_id(800000001, 101))
    await sender.send(reply)
    [sent] = standin.sent_to(USER)
    assert sent.text == reply.text
    assert sent.reply_to_message_id is None
    assert await redis_client.llen(keys.transcript(reply.conversation_key)) == 1


async def test_a_comment_reply_quotes_the_customers_message_in_its_thread(
    sender: TelegramSender, standin: TelegramStandIn
) -> None:
    await sender.send(
        _reply(
            GROUP,
            channel="comment",
            thread_id="post77",
            in_reply_to=ids.platform_message_id(800000002, 150),
        )
    )
    [sent] = standin.sent_to(GROUP)
    assert sent.reply_to_message_id == 150
    assert sent.message_thread_id is None  # a post's thread is a reply chain, not a topic


async def test_an_agents_reply_without_a_message_to_quote_goes_under_the_post(
    sender: TelegramSender, standin: TelegramStandIn, redis_client: Redis
) -> None:
    reply = _reply(
        GROUP,
        text="Hi, this is Mei from the brand team. I'm sorry about the box.",
        channel="comment",
        thread_id="post77",
        author="agent",
    )
    await sender.send(reply)
    [sent] = standin.sent_to(GROUP)
    assert sent.reply_to_message_id == updates.POST_IN_DISCUSSION
    [entry] = await Transcripts(redis_client, 100, 600).read(reply.conversation_key) or []
    assert entry["role"] == "agent"


async def test_a_forum_reply_names_the_topic(
    sender: TelegramSender, standin: TelegramStandIn
) -> None:
    forum = updates.FORUM["id"]
    await sender.send(
        _reply(
            forum,
            channel="comment",
            thread_id="topic5",
            in_reply_to=ids.platform_message_id(800000003, 160),
        )
    )
    [sent] = standin.sent_to(forum)
    assert (sent.message_thread_id, sent.reply_to_message_id) == (5, 160)


async def test_the_same_reply_delivered_twice_is_sent_once(
    sender: TelegramSender, standin: TelegramStandIn
) -> None:
    reply = _reply()
    await sender.send(reply)
    await sender.send(reply)
    assert len(standin.sent_to(USER)) == 1


async def test_a_flood_wait_is_honoured_and_the_reply_then_delivered(
    sender: TelegramSender, standin: TelegramStandIn
) -> None:
    standin.script("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    await sender.send(_reply())
    assert len(standin.sent_to(USER)) == 1
    assert [chat for _, chat in standin.attempts] == [USER, USER]


async def test_a_reply_that_timed_out_is_never_resent(
    redis_client: Redis, telegram_settings: TelegramSettings, standin: TelegramStandIn
) -> None:
    sender = _sender(
        redis_client, telegram_settings.model_copy(update={"request_timeout_seconds": 0.3})
    )
    standin.script("sendMessage", delay=1.0)  # delivered, but the answer comes too late
    reply = _reply()
    try:
        with pytest.raises(DeliveryInDoubt, match="timed out"):
            await sender.send(reply)
        await sender.send(reply)  # recorded as in doubt: not sent again
    finally:
        await sender.close()
    assert len(standin.sent_to(USER)) == 1


async def test_a_reply_that_could_not_connect_is_retried_later(
    redis_client: Redis, telegram_settings: TelegramSettings, standin: TelegramStandIn
) -> None:
    dead = telegram_settings.model_copy(update={"api_base_url": "http://127.0.0.1:9/bot"})
    offline, online = _sender(redis_client, dead), _sender(redis_client, telegram_settings)
    reply = _reply()
    try:
        with pytest.raises(NetworkError) as raised:
            await offline.send(reply)
        assert not isinstance(raised.value, TelegramRefused)
        await online.send(reply)
    finally:
        await offline.close()
        await online.close()
    assert len(standin.sent_to(USER)) == 1


async def test_a_blocked_bot_is_a_permanent_refusal_and_ends_the_private_chat(
    sender: TelegramSender, standin: TelegramStandIn, redis_client: Redis
) -> None:
    await PrivateChats(redis_client).remember(str(USER))
    standin.script("sendMessage", 403, "Forbidden: bot was blocked by the user")
    with pytest.raises(TelegramRefused, match="blocked"):
        await sender.send(_reply())
    assert not await PrivateChats(redis_client).has(str(USER))


async def test_a_group_that_became_a_supergroup_gets_the_reply_at_its_new_id(
    sender: TelegramSender, standin: TelegramStandIn
) -> None:
    old, new = -4001, -1004001
    standin.script(
        "sendMessage",
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        migrate_to_chat_id=new,
    )
    await sender.send(_reply(old, channel="comment"))
    assert len(standin.sent_to(new)) == 1


async def test_a_long_reply_is_sent_in_parts(
    sender: TelegramSender, standin: TelegramStandIn
) -> None:
    await sender.send(_reply(text="x" * (MAX_MESSAGE_CHARS + 10)))
    assert [len(s.text) for s in standin.sent_to(USER)] == [MAX_MESSAGE_CHARS, 10]


async def test_replies_to_one_chat_are_paced_about_one_a_second(
    sender: TelegramSender, standin: TelegramStandIn
) -> None:
    await asyncio.gather(*(sender.send(_reply()) for _ in range(3)))
    times = [s.at for s in standin.sent_to(USER)]
    assert len(times) == 3
    assert all(later - earlier >= 0.8 for earlier, later in itertools.pairwise(times))


async def test_private_details_reach_only_users_who_started_a_private_chat(
    sender: TelegramSender, standin: TelegramStandIn, redis_client: Redis
) -> None:
    user = str(updates.OTHER_CUSTOMER["id"])
    assert not await sender.send_private(user, "Details of ticket T-1", reply_id="t1:private")
    assert standin.sent_to(int(user)) == []
    await PrivateChats(redis_client).remember(user)
    assert await sender.send_private(user, "Details of ticket T-1", reply_id="t1:private")
    assert await sender.send_private(user, "Details of ticket T-1", reply_id="t1:private")
    assert [s.text for s in standin.sent_to(int(user))] == ["Details of ticket T-1"]
    transcript = await redis_client.llen(
        keys.transcript(private_conversation_key("telegram", user))
    )
    assert transcript == 1
