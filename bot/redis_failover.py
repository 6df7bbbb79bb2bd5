"""What keeps a Sentinel client working through a failover: retries bounded by time, and
connections that ask the sentinels for the master every time they (re)connect.

``FailoverRetry`` retries the supported errors (connection errors, timeouts; READONLY from a
demoted master arrives as a connection error) until ``window`` seconds have passed since the
call's first failure, with the usual back-off between tries: the retries cover the gap between
the old master going away and the sentinels naming a new one, whatever the count.

``MasterConnection``: redis-py's Sentinel connection asks the sentinels for the master in
``connect()``, but a command on a dropped connection reconnects through
``connect_check_health()``, to the address it had (redis-py issue #3874): after a failover it
would knock on the dead master until the retries run out. Here every (re)connect asks first.

``NewestSentinel``: redis-py takes the first sentinel's answer; right after a failover some
sentinels still name the old master (alive, when the failover was asked for) until the news
reaches them. Here all are asked at once and the answer with the newest configuration epoch
(the number a failover increments) wins.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import MasterNotFoundError, Sentinel, SentinelManagedConnection
from redis.backoff import AbstractBackoff
from redis.exceptions import RedisError
from redis.retry import Retry as SyncRetry
from redis.sentinel import SentinelManagedConnection as SyncSentinelManagedConnection

T = TypeVar("T")


class MasterConnection(SentinelManagedConnection):
    """A connection to the master the sentinels name now, on every (re)connect."""

    async def connect_check_health(
        self, check_health: bool = True, retry_socket_connect: bool = True
    ) -> None:
        if self.is_connected:
            return
        # Raises MasterNotFoundError (a ConnectionError, retried) while no master is named.
        self.host, self.port = await self.connection_pool.get_master_address()
        # One try: the command's FailoverRetry repeats the whole step, discovery included.
        await super().connect_check_health(check_health=check_health, retry_socket_connect=False)


class NewestSentinel(Sentinel):
    """A ``Sentinel`` that believes the sentinel with the newest configuration."""

    async def discover_master(self, service_name: str) -> tuple[str, int]:
        answers = await asyncio.gather(
            *(sentinel.sentinel_master(service_name) for sentinel in self.sentinels),
            return_exceptions=True,
        )
        valid = [
            state
            for state in answers
            if isinstance(state, dict) and self.check_master_state(state, service_name)
        ]
        errors = [repr(error) for error in answers if isinstance(error, RedisError | OSError)]
        if not valid:
            raise MasterNotFoundError(f"No master found for {service_name!r}: {errors}")
        newest = max(valid, key=lambda state: state.get("config-epoch", 0))
        return newest["ip"], newest["port"]


class SyncMasterConnection(SyncSentinelManagedConnection):
    """``MasterConnection`` for synchronous clients."""

    def connect_check_health(
        self, check_health: bool = True, retry_socket_connect: bool = True
    ) -> None:
        if self._sock:
            return
        self.host, self.port = self.connection_pool.get_master_address()
        super().connect_check_health(check_health=check_health, retry_socket_connect=False)


class FailoverRetry(Retry):
    """Retry the supported errors until ``window`` seconds have passed since the first failure
    of a call (instead of a fixed number of times), with the given back-off between tries."""

    def __init__(self, backoff: AbstractBackoff, window: float) -> None:
        super().__init__(backoff, retries=-1)  # no count: the window bounds the retries
        self.backoff = backoff
        self.window = window

    async def call_with_retry(
        self,
        do: Callable[[], Awaitable[T]],
        fail: Callable[..., Any],
        is_retryable: Callable[[Exception], bool] | None = None,
        with_failure_count: bool = False,
    ) -> T:
        # The same steps as redis-py's Retry.call_with_retry; only the stop condition differs.
        self.backoff.reset()
        failures, give_up_at = 0, 0.0
        while True:
            try:
                return await do()
            except self._supported_errors as error:
                if is_retryable and not is_retryable(error):
                    raise
                failures += 1
                await (fail(error, failures) if with_failure_count else fail(error))
                give_up_at = give_up_at or time.monotonic() + self.window
                pause = _pause(self.backoff, failures, give_up_at)
                if pause is None:
                    raise
                await asyncio.sleep(pause)


class SyncFailoverRetry(SyncRetry):
    """``FailoverRetry`` for synchronous clients."""

    def __init__(self, backoff: AbstractBackoff, window: float) -> None:
        super().__init__(backoff, retries=-1)
        self.backoff = backoff
        self.window = window

    def call_with_retry(
        self,
        do: Callable[[], T],
        fail: Callable[..., Any],
        is_retryable: Callable[[Exception], bool] | None = None,
        with_failure_count: bool = False,
    ) -> T:
        self.backoff.reset()
        failures, give_up_at = 0, 0.0
        while True:
            try:
                return do()
            except self._supported_errors as error:
                if is_retryable and not is_retryable(error):
                    raise
                failures += 1
                if with_failure_count:
                    fail(error, failures)
                else:
                    fail(error)
                give_up_at = give_up_at or time.monotonic() + self.window
                pause = _pause(self.backoff, failures, give_up_at)
                if pause is None:
                    raise
                time.sleep(pause)


def _pause(backoff: AbstractBackoff, failures: int, give_up_at: float) -> float | None:
    """The back-off before the next try, cut to what is left of the window; None when over."""
    left = give_up_at - time.monotonic()
    return min(backoff.compute(failures), left) if left > 0 else None
