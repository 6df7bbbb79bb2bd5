from __future__ import annotations

from redis.asyncio import Redis

from bot.settings import HandoffSettings
from handoff.throttle import SignInThrottle


def _throttle(redis: Redis, **limits: float) -> SignInThrottle:
    return SignInThrottle(redis, HandoffSettings(**limits))


async def test_an_account_locks_after_its_failures_for_the_window(redis_client: Redis) -> None:
    throttle = _throttle(redis_client, signin_failures_per_account=3,
                         signin_window_seconds=120)
    for _ in range(2):
        await throttle.failed("Alice", "10.0.0.1")
    assert await throttle.retry_after("alice", "10.0.0.1") == 0
    await throttle.failed("alice", "10.0.0.2")  # same account (any case), another address
    wait = await throttle.retry_after("alice", "10.0.0.3")
    assert 110 <= wait <= 120
    assert await throttle.retry_after("bob", "10.0.0.3") == 0  # other accounts are not locked


async def test_an_address_locks_across_accounts(redis_client: Redis) -> None:
    throttle = _throttle(redis_client, signin_failures_per_address=4)
    for name in ("a1", "a2", "a3", "a4"):
        await throttle.failed(name, "192.0.2.7")
    assert await throttle.retry_after("a5", "192.0.2.7") > 0
    assert await throttle.retry_after("a5", "192.0.2.8") == 0


async def test_a_success_clears_the_account_not_the_address(redis_client: Redis) -> None:
    throttle = _throttle(redis_client, signin_failures_per_account=2,
                         signin_failures_per_address=3)
    await throttle.failed("alice", "192.0.2.7")
    await throttle.failed("bob", "192.0.2.7")
    await throttle.succeeded("alice")
    await throttle.failed("alice", "192.0.2.8")
    assert await throttle.retry_after("alice", "192.0.2.8") == 0  # one failure since success
    await throttle.failed("carol", "192.0.2.7")
    assert await throttle.retry_after("dave", "192.0.2.7") > 0  # the address kept counting


async def test_no_username_or_address_is_stored_in_clear(redis_client: Redis) -> None:
    await _throttle(redis_client).failed("alice", "192.0.2.7")
    stored = " ".join(await redis_client.keys("*"))
    assert "alice" not in stored and "192.0.2.7" not in stored
