from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from auth.throttle import SignInThrottle
from handoff.settings import HandoffSettings


def _throttle(redis: Redis, **limits: float) -> SignInThrottle:
    return SignInThrottle(redis, HandoffSettings(**limits))


async def test_an_account_locks_after_its_attempts_for_the_window(redis_client: Redis) -> None:
    throttle = _throttle(redis_client, signin_failures_per_account=3, signin_window_seconds=120)
    assert await throttle.attempt("Alice", "10.0.0.1") == 0
    assert await throttle.attempt("alice", "10.0.0.1") == 0
    assert await throttle.attempt("alice", "10.0.0.2") == 0  # any case, another address
    wait = await throttle.attempt("alice", "10.0.0.3")
    assert 110 <= wait <= 120
    assert await throttle.attempt("bob", "10.0.0.3") == 0  # other accounts are not locked


async def test_concurrent_guesses_cannot_pass_the_limit(redis_client: Redis) -> None:
    throttle = _throttle(redis_client, signin_failures_per_account=5)
    waits = await asyncio.gather(*(throttle.attempt("alice", f"10.0.0.{n}") for n in range(20)))
    assert sum(1 for wait in waits if wait == 0) == 5


async def test_an_address_locks_across_accounts(redis_client: Redis) -> None:
    throttle = _throttle(redis_client, signin_failures_per_address=4)
    for name in ("a1", "a2", "a3", "a4"):
        assert await throttle.attempt(name, "192.0.2.7") == 0
    assert await throttle.attempt("a5", "192.0.2.7") > 0
    assert await throttle.attempt("a5", "192.0.2.8") == 0


async def test_refused_attempts_do_not_count_against_the_address(redis_client: Redis) -> None:
    throttle = _throttle(redis_client, signin_failures_per_account=1, signin_failures_per_address=3)
    assert await throttle.attempt("alice", "192.0.2.7") == 0
    for _ in range(10):  # alice keeps trying while locked out
        assert await throttle.attempt("alice", "192.0.2.7") > 0
    assert await throttle.attempt("bob", "192.0.2.7") == 0  # her colleague behind the same NAT


async def test_a_success_clears_the_account_and_gives_the_address_its_attempt_back(
    redis_client: Redis,
) -> None:
    throttle = _throttle(redis_client, signin_failures_per_account=2, signin_failures_per_address=3)
    await throttle.attempt("alice", "192.0.2.7")
    await throttle.attempt("alice", "192.0.2.7")
    await throttle.succeeded("alice", "192.0.2.7")
    assert await throttle.attempt("alice", "192.0.2.8") == 0
    assert await throttle.attempt("alice", "192.0.2.8") == 0  # a fresh count of two
    await throttle.attempt("carol", "192.0.2.7")
    await throttle.attempt("dave", "192.0.2.7")
    assert await throttle.attempt("erin", "192.0.2.7") > 0  # 1 + 2 guesses: the address is full


async def test_no_username_or_address_is_stored_in_clear(redis_client: Redis) -> None:
    await _throttle(redis_client).attempt("alice", "192.0.2.7")
    stored = " ".join(await redis_client.keys("*"))
    assert "alice" not in stored and "192.0.2.7" not in stored
