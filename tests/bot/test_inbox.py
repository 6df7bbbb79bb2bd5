from __future__ import annotations

import asyncio
import json

from redis.asyncio import Redis

from bot import keys
from bot.conversations import ConversationState
from bot.inbox import Inbox, Readiness
from bot.messages import OutboundReply
from bot.settings import InboxSettings
from tests.factories import inbound


def _inbox(redis: Redis, consumer: str = "w1") -> Inbox:
    return Inbox(redis, InboxSettings(reclaim_idle_ms=100, block_ms=50), consumer)


def _reply(message_key: str, conversation: str) -> OutboundReply:
    return OutboundReply(
        reply_id=f"{message_key}:0",
        platform="webchat",
        conversation_key=conversation,
        chat_id="c",
        text="ok",
    )


async def test_the_same_platform_message_is_queued_once(redis_client: Redis) -> None:
    inbox = _inbox(redis_client)
    await inbox.ensure_group()
    message = inbound(message_id="dup-1")
    results = [await inbox.accept(message) for _ in range(3)]
    assert [r.duplicate for r in results] == [False, True, True]
    assert len({r.entry_id for r in results}) == 1  # a retry learns the original entry
    assert await redis_client.xlen(keys.INBOX_STREAM) == 1
    assert await redis_client.llen(keys.transcript(message.conversation_key)) == 1
    assert 0 < await redis_client.ttl(keys.seen("webchat", "dup-1")) <= 7 * 24 * 3600


async def test_messages_are_numbered_per_conversation(redis_client: Redis) -> None:
    inbox = _inbox(redis_client)
    await inbox.ensure_group()
    for conversation in ("conv-aaaa", "conv-bbbb", "conv-aaaa"):
        await inbox.accept(inbound(conversation=conversation))
    entries = await inbox.read(50)
    assert [(e.message.chat_id, e.seq) for e in entries] == [
        ("conv-aaaa", 1),
        ("conv-bbbb", 1),
        ("conv-aaaa", 2),
    ]
    first, _, second = entries
    assert await inbox.readiness(first) is Readiness.READY
    assert await inbox.readiness(second) is Readiness.WAIT  # its predecessor is in flight


async def test_commit_is_atomic_and_happens_once(redis_client: Redis) -> None:
    inbox = _inbox(redis_client)
    await inbox.ensure_group()
    message = inbound()
    await inbox.accept(message)
    [entry] = await inbox.read(50)
    state = ConversationState(last_intent="return_policy", turns=1)
    reply = _reply(message.message_key, message.conversation_key)

    assert await inbox.commit(entry, state, [reply]) is Readiness.READY
    assert await inbox.commit(entry, state, [reply]) is Readiness.DONE  # a second worker's try
    assert await redis_client.xlen(keys.OUTBOX_STREAM) == 1
    assert await redis_client.xlen(keys.INBOX_STREAM) == 0  # acknowledged and removed
    saved = json.loads(await redis_client.get(keys.conversation_state(message.conversation_key)))
    assert saved["last_intent"] == "return_policy"
    assert await inbox.readiness(entry) is Readiness.DONE


async def test_commit_refuses_to_jump_the_queue(redis_client: Redis) -> None:
    inbox = _inbox(redis_client)
    await inbox.ensure_group()
    await inbox.accept(inbound(conversation="conv-order"))
    await inbox.accept(inbound(conversation="conv-order"))
    _, second = await inbox.read(50)
    assert await inbox.commit(second, ConversationState(), []) is Readiness.WAIT
    assert await redis_client.xlen(keys.INBOX_STREAM) == 2  # nothing acknowledged


async def test_entries_of_a_dead_consumer_are_reclaimed(redis_client: Redis) -> None:
    crashed, survivor = _inbox(redis_client, "crashed"), _inbox(redis_client, "survivor")
    await crashed.ensure_group()
    await crashed.accept(inbound())
    [taken] = await crashed.read(50)  # ... and the "crashed" consumer never comes back
    assert await survivor.reclaim() == []  # not idle long enough yet
    await asyncio.sleep(0.2)
    [reclaimed] = await survivor.reclaim()
    assert reclaimed.entry_id == taken.entry_id
    assert reclaimed.message == taken.message


async def test_dead_letter_unblocks_the_conversation(redis_client: Redis) -> None:
    inbox = _inbox(redis_client)
    await inbox.ensure_group()
    await inbox.accept(inbound(conversation="conv-poison"))
    await inbox.accept(inbound(conversation="conv-poison"))
    poison, after = await inbox.read(50)
    await inbox.dead_letter(poison, "ValueError('boom')")
    assert await redis_client.xlen(keys.INBOX_DEAD) == 1
    assert await inbox.readiness(after) is Readiness.READY


async def test_an_accepted_message_is_in_the_transcript_and_announced_once(
    redis_client: Redis,
) -> None:
    inbox = _inbox(redis_client)
    await inbox.ensure_group()
    pubsub = redis_client.pubsub()
    await pubsub.subscribe(keys.EVENTS_CHANNEL)
    await pubsub.get_message(timeout=1)  # the subscription's confirmation
    message = inbound('退货 "now"', message_id="m-announced")
    await inbox.accept(message)
    await inbox.accept(message)  # a platform's retry: no second entry, no second event
    [stored] = await redis_client.lrange(keys.transcript(message.conversation_key), 0, -1)
    entry = json.loads(stored)
    assert entry == {
        "id": "m-announced",
        "role": "customer",
        "text": '退货 "now"',
        "ts": message.timestamp,
        "sender": message.sender.display_name,
    }
    event = await pubsub.get_message(ignore_subscribe_messages=True, timeout=2)
    assert event is not None
    assert json.loads(event["data"]) == {
        "type": "entry",
        "conversation": message.conversation_key,
        "entry": entry,
    }
    assert await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.3) is None
    await pubsub.aclose()
