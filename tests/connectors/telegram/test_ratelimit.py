from __future__ import annotations

from redis.asyncio import Redis

from connectors.telegram.ratelimit import SharedPacer


async def test_a_chats_slots_are_shared_by_every_process(redis_client: Redis) -> None:
    """Two senders (two processes, one Redis) never get the same slot for one chat."""
    first, second = SharedPacer(redis_client), SharedPacer(redis_client)
    assert await first.reserve(1) == 0
    assert await second.reserve(1) > 0.5  # the next free second, whoever asks
    assert await second.reserve(2) == 0  # other chats do not wait behind chat 1
    assert await first.reserve(1) > await second.reserve(3)


async def test_groups_are_paced_per_minute(redis_client: Redis) -> None:
    pacer = SharedPacer(redis_client, group_per_minute=20)
    assert await pacer.reserve(-1003) == 0
    assert await pacer.reserve(-1003) > 2  # 20 a minute: one every 3 s
