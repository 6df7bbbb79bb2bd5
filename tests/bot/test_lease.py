"""Leases on a real Redis: exclusion, renewal, takeover after expiry, a lost holder notices."""

from __future__ import annotations

import asyncio
import time

import pytest
import redis
import redis.asyncio as aioredis

from bot.lease import Lease, SyncLease

KEY = "test:lease:job"


async def _until_gone(client: aioredis.Redis, key: str, within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while await client.exists(key):
        assert time.monotonic() < deadline, "the lease did not expire"
        await asyncio.sleep(0.01)


async def test_only_one_of_many_contenders_gets_the_lease(redis_client: aioredis.Redis) -> None:
    leases = [Lease(redis_client, KEY, 10_000) for _ in range(20)]
    won = await asyncio.gather(*(lease.acquire() for lease in leases))
    assert sum(won) == 1
    winner = leases[won.index(True)]
    assert await redis_client.get(KEY) == winner.token
    assert not any([await lease.hold() for lease in leases if lease is not winner])


async def test_renew_extends_only_the_holders_lease(redis_client: aioredis.Redis) -> None:
    holder, other = Lease(redis_client, KEY, 60_000), Lease(redis_client, KEY, 60_000)
    assert await holder.acquire()
    await redis_client.pexpire(KEY, 500)
    assert await holder.renew()
    assert await redis_client.pttl(KEY) > 1_000
    assert not await other.renew()
    assert await holder.hold()  # already ours: extended, not refused
    assert await redis_client.get(KEY) == holder.token


async def test_takeover_after_expiry_and_the_old_holder_notices(
    redis_client: aioredis.Redis,
) -> None:
    old, new = Lease(redis_client, KEY, 50), Lease(redis_client, KEY, 10_000)
    assert await old.acquire()
    assert not await new.acquire()
    await _until_gone(redis_client, KEY)
    assert await new.acquire()
    assert not await old.renew()  # the old holder learns it lost the lease
    assert not await old.hold()
    assert not await old.release()  # and cannot delete the new holder's lease
    assert await redis_client.get(KEY) == new.token
    assert await new.release()
    assert not await redis_client.exists(KEY)


def test_the_sync_lease_follows_the_same_rules(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        client.delete(KEY)
        first, second = SyncLease(client, KEY, 10_000), SyncLease(client, KEY, 10_000)
        assert first.acquire() and not second.acquire()
        assert first.renew() and not second.renew()
        assert not second.release() and client.get(KEY) == first.token
        assert first.release() and second.acquire()
        second.release()
    finally:
        client.close()


def test_a_lease_needs_a_time_to_live(redis_client: aioredis.Redis) -> None:
    with pytest.raises(ValueError):
        Lease(redis_client, KEY, 0)
