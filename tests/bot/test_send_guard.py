from __future__ import annotations

import asyncio
import json
import time

import pytest
from redis.asyncio import Redis

from bot import keys
from bot.lanes import LaneLost, LaneTicket, current_lane
from bot.messages import OutboundReply
from bot.outbox import DeliveryDeferred
from bot.send_guard import DeliveryInDoubt, SendGuard
from bot.transcript import Transcripts


class _Platform:
    """A stand-in platform call that counts deliveries and can fail in two ways."""

    def __init__(self, fail_with: BaseException | None = None) -> None:
        self.delivered = 0
        self.fail_with = fail_with

    async def send(self) -> None:
        if isinstance(self.fail_with, TimeoutError):
            self.delivered += 1  # delivered, but the answer never came back
        if self.fail_with is not None:
            error, self.fail_with = self.fail_with, None
            raise error
        self.delivered += 1


def _reply() -> OutboundReply:
    return OutboundReply(
        reply_id="telegram:1:0",
        platform="telegram",
        conversation_key="telegram:1:1",
        chat_id="1",
        text="hi",
    )


def _guard(redis: Redis) -> SendGuard:
    return SendGuard(redis, Transcripts(redis, 100, reply_ttl_seconds=60), claim_ttl_seconds=60)


async def test_a_reply_is_sent_and_recorded_once(redis_client: Redis) -> None:
    guard, platform = _guard(redis_client), _Platform()
    assert await guard.send_once(_reply(), platform.send, in_doubt=(TimeoutError,))
    assert not await guard.send_once(_reply(), platform.send, in_doubt=(TimeoutError,))
    assert platform.delivered == 1
    assert await redis_client.llen(keys.transcript("telegram:1:1")) == 1


async def test_a_definite_failure_can_be_retried(redis_client: Redis) -> None:
    guard, platform = _guard(redis_client), _Platform(fail_with=ConnectionRefusedError("503"))
    with pytest.raises(ConnectionRefusedError):
        await guard.send_once(_reply(), platform.send, in_doubt=(TimeoutError,))
    assert await guard.send_once(_reply(), platform.send, in_doubt=(TimeoutError,))
    assert platform.delivered == 1


async def test_a_timeout_is_never_resent_blindly_and_shows_as_in_doubt(
    redis_client: Redis,
) -> None:
    guard, platform = _guard(redis_client), _Platform(fail_with=TimeoutError("read timeout"))
    with pytest.raises(DeliveryInDoubt, match="timed out"):
        await guard.send_once(_reply(), platform.send, in_doubt=(TimeoutError,))
    assert not await guard.send_once(_reply(), platform.send, in_doubt=(TimeoutError,))
    assert platform.delivered == 1
    [entry] = await Transcripts(redis_client, 100, 60).read("telegram:1:1") or []
    assert entry["state"] == "in_doubt"


async def test_a_claim_left_by_a_dead_sender_waits_then_is_in_doubt(redis_client: Redis) -> None:
    """A sender died mid-call: its claim is young at first (it may still be finishing)."""
    platform = _Platform()
    await redis_client.set(
        keys.reply_claim("telegram:1:0"), json.dumps({"at": time.time(), "by": "1:dead-sender"})
    )
    with pytest.raises(DeliveryDeferred):
        await _guard(redis_client).send_once(_reply(), platform.send, in_doubt=(TimeoutError,))
    settled = SendGuard(redis_client, Transcripts(redis_client, 100, 60), 60, settle_seconds=0)
    with pytest.raises(DeliveryInDoubt, match="did not finish"):
        await settled.send_once(_reply(), platform.send, in_doubt=(TimeoutError,))
    assert platform.delivered == 0
    [entry] = await Transcripts(redis_client, 100, 60).read("telegram:1:1") or []
    assert entry["state"] == "in_doubt"


async def test_the_pacing_wait_comes_before_the_claim(redis_client: Redis) -> None:
    """Killed (here: cancelled) while waiting for its turn, a reply has claimed nothing."""
    waiting = asyncio.Event()

    async def pace() -> None:
        waiting.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(
        _guard(redis_client).send_once(
            _reply(), _Platform().send, in_doubt=(TimeoutError,), pace=pace
        )
    )
    await waiting.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not await redis_client.exists(keys.reply_claim("telegram:1:0"))


async def test_cancelled_mid_call_the_claim_stays(redis_client: Redis) -> None:
    """A shutdown that cancels a call under way: the reply may have arrived, never resent."""
    calling = asyncio.Event()

    async def slow_send() -> None:
        calling.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(
        _guard(redis_client).send_once(_reply(), slow_send, in_doubt=(TimeoutError,))
    )
    await calling.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await redis_client.exists(keys.reply_claim("telegram:1:0"))


async def test_a_sender_that_lost_its_lane_cannot_claim(redis_client: Redis) -> None:
    platform = _Platform()
    await redis_client.set(keys.outbox_lane_lease("telegram:1:1"), "2:another-sender")
    current_lane.set(LaneTicket("telegram:1:1", "1:this-sender"))
    with pytest.raises(LaneLost):
        await _guard(redis_client).send_once(_reply(), platform.send, in_doubt=(TimeoutError,))
    assert platform.delivered == 0
