"""Sign-in throttling: failed attempts counted per account and per client address in Redis.

Each counter starts a fixed window at its first failure (INCR, then EXPIRE on the first).
Once a counter reaches its limit, every attempt on that account or from that address is
refused with 429 until the window ends, the right password included: otherwise a guesser
would learn the password the moment it stopped being refused. The counters are shared by all
API processes. Keys hold digests, not usernames or addresses.
"""

from __future__ import annotations

import hashlib
import math

from redis.asyncio import Redis

from bot import keys
from bot.settings import HandoffSettings


class SignInThrottle:
    def __init__(self, redis: Redis, settings: HandoffSettings) -> None:
        self.redis = redis
        self.settings = settings

    async def retry_after(self, username: str, address: str) -> int:
        """Seconds until this account and address may try again; 0 when they may now."""
        wait = 0
        for key, limit in self._counters(username, address):
            count = await self.redis.get(key)
            if count is not None and int(count) >= limit:
                wait = max(wait, await self._seconds_left(key))
        return wait

    async def failed(self, username: str, address: str) -> None:
        window_ms = int(self.settings.signin_window_seconds * 1000)
        for key, _ in self._counters(username, address):
            if await self.redis.incr(key) == 1:
                await self.redis.pexpire(key, window_ms)

    async def succeeded(self, username: str) -> None:
        """The account's own count starts over; the address's does not (one right password
        must not reset a guesser working through many accounts)."""
        await self.redis.delete(keys.signin_failures("account", _digest(username.lower())))

    def _counters(self, username: str, address: str) -> list[tuple[str, int]]:
        return [
            (keys.signin_failures("account", _digest(username.lower())),
             self.settings.signin_failures_per_account),
            (keys.signin_failures("address", _digest(address)),
             self.settings.signin_failures_per_address),
        ]

    async def _seconds_left(self, key: str) -> int:
        left_ms = await self.redis.pttl(key)
        if left_ms == -2:  # the window ended just now
            return 0
        if left_ms < 0:  # no expiry (a crash between INCR and PEXPIRE): give it one now
            left_ms = int(self.settings.signin_window_seconds * 1000)
            await self.redis.pexpire(key, left_ms)
        return max(1, math.ceil(left_ms / 1000))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]
