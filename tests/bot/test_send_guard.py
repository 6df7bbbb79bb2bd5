from __future__ import annotations

import pytest
from redis.asyncio import Redis

from bot import keys
from bot.messages import OutboundReply
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
    return OutboundReply(reply_id="telegram:1:0", platform="telegram",
                         conversation_key="telegram:1:1", chat_id="1", text="hi")


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


async def test_a_timeout_is_never_resent_blindly(redis_client: Redis) -> None:
    guard, platform = _guard(redis_client), _Platform(fail_with=TimeoutError("read timeout"))
    with pytest.raises(DeliveryInDoubt, match="timed out"):
        await guard.send_once(_reply(), platform.send, in_doubt=(TimeoutError,))
    with pytest.raises(DeliveryInDoubt, match="did not finish"):
        await guard.send_once(_reply(), platform.send, in_doubt=(TimeoutError,))
    assert platform.delivered == 1
