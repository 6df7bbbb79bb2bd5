"""Delivery lanes against a real Redis: routing keeps order, one holder at a time, fencing."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from bot import keys
from bot.lanes import LaneLost, Lanes
from tests.factories import outbound


async def _queue(redis: Redis, conversation: str, *texts: str) -> None:
    for text in texts:
        reply = outbound(text, conversation_key=conversation)
        await redis.xadd(keys.OUTBOX_STREAM, {"reply": reply.to_json()})


async def test_routing_keeps_the_stream_order_per_conversation(redis_client: Redis) -> None:
    lanes = Lanes(redis_client, lease_ms=10_000)
    await _queue(redis_client, "webchat:a:a", "1", "2")
    await _queue(redis_client, "webchat:b:b", "x")
    await _queue(redis_client, "webchat:a:a", "3")
    assert await lanes.route() == 4
    assert await redis_client.xlen(keys.OUTBOX_STREAM) == 0
    queued = await redis_client.lrange(keys.outbox_lane("webchat:a:a"), 0, -1)
    assert [text for text in queued if '"text": "' in text] == queued
    assert ['"text": "1"' in queued[0], '"text": "2"' in queued[1], '"text": "3"' in queued[2]] == [
        True
    ] * 3


async def test_a_lane_has_one_holder_and_a_dead_ones_lane_is_taken_over(
    redis_client: Redis,
) -> None:
    first, second = Lanes(redis_client, lease_ms=200), Lanes(redis_client, lease_ms=200)
    await _queue(redis_client, "webchat:a:a", "1", "2")
    await first.route()
    _, [ticket] = await first.take(10, "first")
    waiting, none = await second.take(10, "second")
    assert (waiting, none) == (1, [])
    # The first holder dies: its lease lapses, and the next holder starts at the same head.
    head = await first.head(ticket)
    await redis_client.delete(ticket.lease_key)  # what its expiry does
    _, [taken_over] = await second.take(10, "second")
    assert taken_over.token != ticket.token
    assert await second.head(taken_over) == head
    with pytest.raises(LaneLost):  # the old holder, back from the dead, cannot pop
        await first.pop(ticket, head, "r")
    assert await second.pop(taken_over, head, "r") == 1


async def test_an_empty_lane_is_released_and_forgotten(redis_client: Redis) -> None:
    lanes = Lanes(redis_client, lease_ms=10_000)
    await _queue(redis_client, "webchat:a:a", "1")
    await lanes.route()
    _, [ticket] = await lanes.take(10, "me")
    await lanes.pop(ticket, await lanes.head(ticket) or "", "r")
    assert await lanes.release(ticket) == 0
    assert not await redis_client.exists(ticket.lease_key)
    assert await redis_client.zcard(keys.OUTBOX_LANES) == 0
