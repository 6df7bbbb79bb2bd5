"""Redis connections: built once from a URL, checked with PING, retried with a logged back-off."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.embedded_redis import EmbeddedRedis
from bot.settings import Settings

logger = logging.getLogger(__name__)


async def connect(url: str, *, attempts: int = 5, delay: float = 0.5) -> aioredis.Redis:
    """Return a client for ``url`` once the server answers PING."""
    client = aioredis.Redis.from_url(url, decode_responses=True, health_check_interval=30)
    for attempt in range(1, attempts + 1):
        try:
            await client.ping()
            return client
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            if attempt == attempts:
                await client.aclose()
                raise ConnectionError(
                    f"Redis at {_redact(url)} did not answer after {attempts} attempts: {exc}"
                ) from exc
            logger.warning(
                "Redis at %s not reachable (attempt %d/%d): %s", _redact(url), attempt, attempts,
                exc,
            )
            await asyncio.sleep(delay * attempt)
    raise AssertionError("unreachable")


@contextmanager
def redis_url_for(settings: Settings) -> Iterator[str]:
    """Yield the configured Redis URL, or run an embedded Redis for the duration."""
    if settings.redis.url:
        yield settings.redis.url
        return
    embedded = EmbeddedRedis(settings.data_dir, settings.redis.embedded_binary)
    with embedded:
        yield embedded.url


def _redact(url: str) -> str:
    """Hide a password in a Redis URL before it reaches a log line."""
    scheme, sep, rest = url.partition("://")
    if "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"
