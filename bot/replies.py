"""The one way replies are made and queued.

``reply_to`` addresses an answer to the message it answers (same platform, conversation, chat,
channel and thread; threaded platforms quote the message); ``private_reply`` writes to one
customer in private; a person's reply to a ticket is ``handoff.models.Ticket.reply``.
``enqueue`` is the only writer of the outbox stream: inside a transaction (the inbox's
commit, ``enqueue_in``) or on its own (a person's reply).
"""

from __future__ import annotations

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from bot import keys
from bot.addresses import private_conversation_key
from bot.messages import InboundMessage, OutboundReply
from bot.vocabulary import ChannelKind


def reply_to(
    message: InboundMessage,
    reply_id: str,
    text: str,
    *,
    intent: str = "",
    private_details: str = "",
) -> OutboundReply:
    """The bot's reply to ``message``."""
    return OutboundReply(
        reply_id=reply_id,
        platform=message.platform,
        conversation_key=message.conversation_key,
        chat_id=message.chat_id,
        text=text,
        channel=message.channel,
        in_reply_to=message.platform_message_id,
        thread_id=message.thread_id,
        intent=intent,
        user_id=message.sender.user_id,
        private_details=private_details,
    )


def private_reply(platform: str, user_id: str, reply_id: str, text: str) -> OutboundReply:
    """A message to ``user_id`` alone, in their private chat with the brand."""
    return OutboundReply(
        reply_id=reply_id,
        platform=platform,
        conversation_key=private_conversation_key(platform, user_id),
        chat_id=user_id,
        text=text,
        channel=ChannelKind.PRIVATE,
    )


def _entry(reply: OutboundReply) -> dict[str, str]:
    return {"reply": reply.to_json()}


def enqueue_in(tx: Pipeline, reply: OutboundReply) -> None:
    """Queue ``reply`` inside ``tx``'s MULTI: nothing is sent unless the transaction commits."""
    tx.xadd(keys.OUTBOX_STREAM, _entry(reply))  # type: ignore[arg-type]


async def enqueue(redis: Redis, reply: OutboundReply) -> None:
    """Queue ``reply`` for its platform's sender (a person's reply, a satisfaction question)."""
    await redis.xadd(keys.OUTBOX_STREAM, _entry(reply))  # type: ignore[arg-type]
