"""Telegram's flood limits on the way out, shared by every sender process through Redis:
~1 message/s per chat, ~20/min per group, ~30/s for the whole bot.

Each limit is a key holding the time (Redis's clock, ms) of its next free slot; ``wait_turn``
reserves the chat's slot, waits for it, then the bot-wide slot, and waits for that. The
reservation is one script, so two processes never get the same slot, and slots go out in the
order they were asked for. Waiting happens *before* the send guard's claim: a sender killed while
it waits has claimed nothing, and the reply is sent by whoever takes its lane next.

The bot's own rate limiter (``retry_on_flood``) only honours ``RetryAfter`` (HTTP 429), which
Telegram still sends if someone else uses the same token.
"""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis
from telegram.ext import AIORateLimiter

from bot import keys

_RESERVE = """
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
local after = slot + tonumber(ARGV[1])
redis.call('SET', KEYS[1], after, 'PX', after - now + 1000)
return slot - now
"""


class SharedPacer:
    def __init__(
        self,
        redis: Redis,
        *,
        overall_per_second: float = 30,
        group_per_minute: float = 20,
        chat_per_second: float = 1,
    ) -> None:
        self._reserve = redis.register_script(_RESERVE)
        self._chat_ms = round(1000 / chat_per_second)
        self._group_ms = round(60_000 / group_per_minute)
        self._overall_ms = round(1000 / overall_per_second)

    async def wait_turn(self, chat_id: int | str) -> None:
        """Return when a message to ``chat_id`` may go, by every limit."""
        await asyncio.sleep(await self.reserve(chat_id))
        await asyncio.sleep(await self._reserve_slot(keys.TELEGRAM_PACE_ALL, self._overall_ms))

    async def reserve(self, chat_id: int | str) -> float:
        """Reserve the chat's next slot; return the seconds until it comes."""
        interval = self._group_ms if str(chat_id).startswith("-") else self._chat_ms
        return await self._reserve_slot(keys.telegram_pace(str(chat_id)), interval)

    async def _reserve_slot(self, key: str, interval_ms: int) -> float:
        return int(await self._reserve(keys=[key], args=[interval_ms])) / 1000


def retry_on_flood(max_retries: int = 2) -> AIORateLimiter:
    """No pacing of its own (``SharedPacer`` does that, across processes): only waits out a
    ``RetryAfter`` and tries again."""
    return AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=max_retries)
