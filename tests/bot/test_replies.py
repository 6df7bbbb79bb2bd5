"""One reply factory, one outbox writer."""

from __future__ import annotations

from redis.asyncio import Redis

from bot import keys
from bot.messages import InboundMessage, OutboundReply
from bot.replies import enqueue, enqueue_in, private_reply, reply_to
from bot.vocabulary import ChannelKind
from tests.factories import inbound


def test_a_reply_goes_back_where_the_message_came_from() -> None:
    message = inbound("退货政策?", platform="telegram")
    reply = reply_to(message, "m1:0", "七天无理由", intent="return_policy")
    assert (reply.platform, reply.conversation_key, reply.chat_id, reply.channel) == (
        message.platform,
        message.conversation_key,
        message.chat_id,
        message.channel,
    )
    assert (reply.in_reply_to, reply.user_id, reply.intent, reply.author) == (
        message.platform_message_id,
        message.sender.user_id,
        "return_policy",
        "bot",
    )


def test_a_private_reply_is_addressed_to_the_user_alone() -> None:
    reply = private_reply("telegram", "42", "r1", "details")
    assert (reply.conversation_key, reply.chat_id, reply.channel) == (
        "telegram:42:42",
        "42",
        ChannelKind.PRIVATE,
    )


async def test_the_outbox_holds_what_was_queued_alone_or_in_a_transaction(
    redis_client: Redis,
) -> None:
    first = reply_to(inbound("a"), "m1:0", "one")
    second = reply_to(inbound("b"), "m2:0", "two")
    await enqueue(redis_client, first)
    async with redis_client.pipeline(transaction=True) as tx:
        tx.multi()
        enqueue_in(tx, second)
        await tx.execute()
    entries = await redis_client.xrange(keys.OUTBOX_STREAM)
    assert [OutboundReply.from_json(f["reply"]) for _, f in entries[-2:]] == [first, second]


def test_a_message_round_trips_with_its_kind() -> None:
    message = inbound("[photo]")
    assert InboundMessage.from_json(message.to_json()) == message
