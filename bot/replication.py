"""Writes that must survive a failover are confirmed by a replica before they are acknowledged.

Redis replicates asynchronously: a master that dies (or is demoted by a failover) can take its
last writes with it, already acknowledged to the client. For most of Switchboard's writes that
is recovered anyway (an inbox entry whose commit was lost is processed again, with the same reply
ids), but an accepted customer message exists nowhere else: once the platform was told "got it",
nothing would send it again. So with replicas, accepting a message ends with ``WAIT``: the
answer is given once the replicas have the message, and when they do not confirm it in time the
accept fails as a storage error (``NotReplicated``: the API answers 503, the platform sends the
message again, the inbox's dedupe makes that safe).

How many replicas: ``inbox.replica_acks`` (default: one with a Sentinel URL, none otherwise),
but never more than the sentinels see replicating from the master right now (up, connected,
reporting the replica role and a working link). Any other could not take over with the message,
so waiting for it protects nothing: after a failover that left the new master alone (its one
replica was the killed master) or beside an old master not yet turned into its replica,
messages are accepted at once instead of not at all. When no sentinel answers, it waits for
``replica_acks`` all the same.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.sentinel import SentinelConnectionPool
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError

from bot.errors import StorageUnavailable

logger = logging.getLogger(__name__)

# How long the sentinels' count of healthy replicas is trusted before it is asked again.
CHECK_SECONDS = 1.0


class NotReplicated(StorageUnavailable):
    """A write reached the master but not enough replicas confirmed it in time: it may be lost
    in a failover, so it is not acknowledged. A ``ConnectionError`` so that every caller treats
    it as storage being unavailable (503, retry later)."""

    def __init__(self, wanted: int, confirmed: int, timeout_ms: int) -> None:
        super().__init__(
            f"{confirmed} of {wanted} replica(s) confirmed the write within {timeout_ms} ms"
        )


class ReplicaAcks:
    """Runs a script and acknowledges it once enough replicas have its writes."""

    def __init__(self, redis: Redis, configured: int | None, timeout_ms: int) -> None:
        pool = redis.connection_pool
        self.redis = redis
        self.sentinel_pool = pool if isinstance(pool, SentinelConnectionPool) else None
        self.wanted = configured if configured is not None else int(bool(self.sentinel_pool))
        self.timeout_ms = timeout_ms
        self._now_wanted = self.wanted
        self._checked_at = float("-inf")
        self._checked_master: object = None

    async def run(self, script: AsyncScript, *, keys: list[str], args: list[Any]) -> Any:
        wanted = await self._wanted()
        if wanted == 0:
            return await script(keys=keys, args=args)
        result, confirmed = await self._run_and_wait(script, keys, args, wanted)
        if confirmed < wanted and confirmed < await self._wanted(fresh=True):
            raise NotReplicated(wanted, confirmed, self.timeout_ms)
        return result

    async def _run_and_wait(
        self, script: AsyncScript, keys: list[str], args: list[Any], wanted: int
    ) -> tuple[Any, int]:
        # One pipeline: WAIT counts the writes made on its own connection.
        for _ in range(2):  # a new master (after a failover) may not know the script yet
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.evalsha(script.sha, len(keys), *keys, *args)
                pipe.wait(wanted, self.timeout_ms)
                result, confirmed = await pipe.execute(raise_on_error=False)
            if not isinstance(result, NoScriptError):
                break
            await self.redis.script_load(script.script)
        for outcome in (result, confirmed):
            if isinstance(outcome, Exception):
                raise outcome
        return result, int(confirmed)

    async def _wanted(self, *, fresh: bool = False) -> int:
        """``replica_acks``, capped by the replicas the sentinels consider up."""
        pool = self.sentinel_pool
        if pool is None or self.wanted == 0:
            return self.wanted
        stale = time.monotonic() - self._checked_at > CHECK_SECONDS
        # A new master (a failover) has replicas of its own: count them before waiting.
        if fresh or stale or pool.master_address != self._checked_master:
            replicating = await _replicating(pool)
            now_wanted = self.wanted if replicating is None else min(self.wanted, replicating)
            if now_wanted < self.wanted <= self._now_wanted:
                logger.warning(
                    "%d replica(s) of %s replicating: accepted messages wait for %d "
                    "confirmation(s), not %d, until more are back",
                    replicating,
                    pool.service_name,
                    now_wanted,
                    self.wanted,
                )
            self._now_wanted, self._checked_at = now_wanted, time.monotonic()
            self._checked_master = pool.master_address
        return self._now_wanted


async def _replicating(pool: SentinelConnectionPool) -> int | None:
    """The most replicas a sentinel sees replicating from the master; None if none answers.

    Only sentinels that name the master this client writes to are heard: right after a
    failover, one still on the old configuration lists the old master's replicas."""
    sentinels = pool.sentinel_manager.sentinels
    name = pool.service_name
    masters, replicas = await asyncio.gather(
        asyncio.gather(*(s.sentinel_master(name) for s in sentinels), return_exceptions=True),
        asyncio.gather(*(s.sentinel_slaves(name) for s in sentinels), return_exceptions=True),
    )
    counts = [
        sum(1 for replica in listed if _replicates(replica))
        for master, listed in zip(masters, replicas, strict=True)
        if isinstance(master, dict)
        and isinstance(listed, list)
        and (pool.master_address is None or (master["ip"], master["port"]) == pool.master_address)
    ]
    return max(counts) if counts else None


def _replicates(replica: dict[str, Any]) -> bool:
    # Down or unreachable (a killed old master), or still a master itself (an old master the
    # sentinels have not demoted yet): it has nothing of the new master's.
    return (
        not (replica["is_sdown"] or replica["is_odown"] or replica["is_disconnected"])
        and replica.get("role-reported") == "slave"
        and replica.get("master-link-status") == "ok"
    )
