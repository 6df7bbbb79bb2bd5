"""Redis connections: built once from a URL, checked with PING, retried with a logged back-off.

Every command retries a dropped or refused connection a few times with an exponential back-off
(redis-py's ``Retry``), and idle pooled connections are PINGed before reuse (health checks): after
a Redis restart, the first command on a stale socket reconnects instead of failing. The budget is
short on purpose, so that while Redis is really down a request fails within about a second and the
app answers 503 (``switchboard.http_unavailable``) rather than hanging.

A ``redis+sentinel://`` URL (``bot.redis_sentinel``) gives a client of the Sentinel group's
current master, with the same options, whose retries last a failover window instead of a count.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import BusyLoadingError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry as SyncRetry

from bot.embedded_redis import EmbeddedRedis
from bot.redis_sentinel import (
    build_async_master,
    build_sync_master,
    follow_switches,
    is_sentinel_url,
)
from bot.settings import EngineSettings

logger = logging.getLogger(__name__)

COMMAND_RETRIES = 3
BACKOFF_BASE_SECONDS = 0.1
BACKOFF_CAP_SECONDS = 1.0
HEALTH_CHECK_SECONDS = 5
CONNECT_TIMEOUT_SECONDS = 5.0
RETRY_ON = (RedisConnectionError, RedisTimeoutError, BusyLoadingError)


async def connect(url: str, *, attempts: int = 5, delay: float = 0.5) -> aioredis.Redis:
    """Return a client for ``url`` once the server answers PING."""
    client = build_client(url)
    if is_sentinel_url(url):
        attempts = 1  # each PING already retries for the whole failover window
        follow_switches(client)
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
                "Redis at %s not reachable (attempt %d/%d): %s",
                _redact(url),
                attempt,
                attempts,
                exc,
            )
            await asyncio.sleep(delay * attempt)
    raise AssertionError("unreachable")


def build_client(url: str) -> aioredis.Redis:
    """The one way the app builds an asyncio client: retries, back-off and health checks."""
    if is_sentinel_url(url):
        return build_async_master(url, _options(), _backoff())
    return aioredis.Redis.from_url(url, retry=Retry(_backoff(), COMMAND_RETRIES), **_options())


def build_sync_client(url: str) -> redis.Redis:
    """The synchronous twin of ``build_client``, for libraries that run in threads (wechatpy)."""
    if is_sentinel_url(url):
        return build_sync_master(url, _options(), _backoff())
    return redis.Redis.from_url(url, retry=SyncRetry(_backoff(), COMMAND_RETRIES), **_options())


def _backoff() -> ExponentialBackoff:
    return ExponentialBackoff(cap=BACKOFF_CAP_SECONDS, base=BACKOFF_BASE_SECONDS)


def _options() -> dict[str, Any]:
    return {
        "decode_responses": True,
        "retry_on_error": list(RETRY_ON),
        "health_check_interval": HEALTH_CHECK_SECONDS,
        "socket_connect_timeout": CONNECT_TIMEOUT_SECONDS,
    }


@contextmanager
def redis_url_for(settings: EngineSettings) -> Iterator[str]:
    """Yield the configured Redis URL, or run an embedded Redis for the duration."""
    if settings.redis.url:
        yield settings.redis.url
        return
    embedded = EmbeddedRedis(settings.data_dir, settings.redis.embedded_binary)
    with embedded:
        yield embedded.url


def _redact(url: str) -> str:
    """Hide the passwords in a Redis URL (``user:password@``, ``?sentinel_password=``) before
    it reaches a log line."""
    url = re.sub(r"([?&][^=&]*password=)[^&]*", r"\1***", url)
    scheme, sep, rest = url.partition("://")
    if "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"
