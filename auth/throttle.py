"""Sign-in throttling: attempts counted per account and per client address in Redis.

Each counter starts a fixed window at its first attempt (INCR, then EXPIRE on the first); an
attempt counts before its password is checked and a success gives it back. Once a counter is
past its limit, every attempt on that account or from that address is refused with 429 until
the window ends, the right password included: otherwise a guesser
would learn the password the moment it stopped being refused. The counters are shared by all
API processes. Keys hold digests, not usernames or addresses.
"""

from __future__ import annotations

import hashlib
import math
from typing import Protocol

from redis.asyncio import Redis

from bot import keys


class SignInLimits(Protocol):
    """How many failures lock an account or an address, and for how long (config.yml keeps
    them under ``handoff``: ``signin_failures_per_account`` and the others)."""

    signin_failures_per_account: int
    signin_failures_per_address: int
    signin_window_seconds: float


class SignInThrottle:
    def __init__(self, redis: Redis, settings: SignInLimits) -> None:
        self.redis = redis
        self.settings = settings

    async def attempt(self, username: str, address: str) -> int:
        """Count this attempt against the account and the address; the seconds until they may
        try again when either is over its limit, else 0 (go on and check the password).

        Every attempt counts before its password is checked, not after it failed: twenty
        concurrent guesses cannot all slip past a limit of five while the first ones are
        still being hashed."""
        wait = 0
        window_ms = int(self.settings.signin_window_seconds * 1000)
        counters = self._counters(username, address)
        for key, limit in counters:
            count = await self.redis.incr(key)
            if count == 1:
                await self.redis.pexpire(key, window_ms)
            if count > limit:
                wait = max(wait, await self._seconds_left(key))
        if wait:
            # A refused attempt checked no password: it does not count (a locked-out agent
            # retrying must not lock out the whole office behind one address).
            for key, _ in counters:
                await self.redis.decr(key)
        return wait

    async def succeeded(self, username: str, address: str) -> None:
        """The account's count starts over; the address only gets this attempt back (one
        right password must not reset a guesser working through many accounts)."""
        account, address_key = (key for key, _ in self._counters(username, address))
        await self.redis.delete(account)
        if int(await self.redis.get(address_key) or 0) > 0:
            await self.redis.decr(address_key)

    def _counters(self, username: str, address: str) -> list[tuple[str, int]]:
        return [
            (
                keys.signin_failures("account", _digest(username.lower())),
                self.settings.signin_failures_per_account,
            ),
            (
                keys.signin_failures("address", _digest(address)),
                self.settings.signin_failures_per_address,
            ),
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
