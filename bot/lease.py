"""Leases: one process at a time runs a singleton job (a poller, a watcher, a token refresh).

A lease is a Redis key holding the holder's random token, set with ``SET NX PX`` so it lapses by
itself when its holder dies. Renewing and releasing compare the token and act in one Lua script:
a holder whose lease expired (a long pause, a lost connection) and was taken over can neither
extend nor delete the new holder's lease, and ``renew`` returning False is how it notices.

``Lease`` is for asyncio clients; ``SyncLease`` for the synchronous client wechatpy's threads use.
Both run the same scripts.
"""

from __future__ import annotations

import secrets

import redis
from redis.asyncio import Redis

# Extend only our own lease: 1 if extended, 0 if it is gone or someone else's.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
# Take the lease if free, or extend it if already ours (one step: no gap between GET and SET).
_HOLD = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
"""
# Delete only our own lease.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Lease:
    """A lease on ``key`` for ``ttl_ms`` milliseconds, held under a token of its own."""

    def __init__(self, client: Redis, key: str, ttl_ms: int) -> None:
        if ttl_ms <= 0:
            raise ValueError("a lease needs a positive time to live")
        self.redis = client
        self.key = key
        self.ttl_ms = ttl_ms
        self.token = secrets.token_hex(8)
        self._renew = client.register_script(_RENEW)
        self._hold = client.register_script(_HOLD)
        self._release = client.register_script(_RELEASE)

    async def acquire(self) -> bool:
        """Take the lease if nobody holds it (ours already: False, use ``hold``)."""
        return bool(await self.redis.set(self.key, self.token, nx=True, px=self.ttl_ms))

    async def hold(self) -> bool:
        """Take the lease, or extend it if we hold it: for jobs that run in rounds."""
        return bool(await self._hold(keys=[self.key], args=[self.token, self.ttl_ms]))

    async def renew(self) -> bool:
        """Extend our lease; False means it lapsed or was taken over: stop the job."""
        return bool(await self._renew(keys=[self.key], args=[self.token, self.ttl_ms]))

    async def release(self) -> bool:
        """Give the lease up if still ours; True if it was."""
        return bool(await self._release(keys=[self.key], args=[self.token]))


class SyncLease:
    """``Lease`` for a synchronous client (wechatpy runs in threads)."""

    def __init__(self, client: redis.Redis, key: str, ttl_ms: int) -> None:
        if ttl_ms <= 0:
            raise ValueError("a lease needs a positive time to live")
        self.redis = client
        self.key = key
        self.ttl_ms = ttl_ms
        self.token = secrets.token_hex(8)
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)

    def acquire(self) -> bool:
        return bool(self.redis.set(self.key, self.token, nx=True, px=self.ttl_ms))

    def renew(self) -> bool:
        return bool(self._renew(keys=[self.key], args=[self.token, self.ttl_ms]))

    def release(self) -> bool:
        return bool(self._release(keys=[self.key], args=[self.token]))
