"""Telegram's flood limits on the way out: ~30 messages/s in all, ~20/min per group, ~1/s per chat.

python-telegram-bot's ``AIORateLimiter`` enforces the first two and, on ``RetryAfter`` (HTTP 429),
halts every request for ``retry_after`` seconds and retries. It leaves private chats unpaced, so
a burst of replies to one customer would run into 429s; ``ChatRateLimiter`` paces each chat too.
The limits are per process: with several sender processes, Telegram's 429 (honoured) is the
backstop.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter

_MAX_IDLE_LIMITERS = 1024

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]


class ChatRateLimiter(AIORateLimiter):
    def __init__(
        self, *, overall_per_second: float = 30, group_per_minute: float = 20,
        chat_per_second: float = 1, max_retries: int = 2,
    ) -> None:
        super().__init__(
            overall_max_rate=overall_per_second, overall_time_period=1,
            group_max_rate=group_per_minute, group_time_period=60, max_retries=max_retries,
        )
        self._chat_rate = chat_per_second
        self._chat_limiters: dict[str, AsyncLimiter] = {}

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONResult:
        chat_id = data.get("chat_id")
        if chat_id is not None and self._chat_rate:
            # Paced before the shared limits, so one busy chat does not use up their capacity
            # while it waits for its own turn.
            await self._chat_limiter(str(chat_id)).acquire()
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )

    def _chat_limiter(self, chat_id: str) -> AsyncLimiter:
        if len(self._chat_limiters) > _MAX_IDLE_LIMITERS:
            for key, limiter in list(self._chat_limiters.items()):
                if limiter.has_capacity(limiter.max_rate):  # unused for a while: forget it
                    del self._chat_limiters[key]
        limiter = self._chat_limiters.get(chat_id)
        if limiter is None:
            limiter = self._chat_limiters[chat_id] = AsyncLimiter(self._chat_rate, 1)
        return limiter
