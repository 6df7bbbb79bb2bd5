"""Redis Sentinel: ``redis+sentinel://`` URLs, and clients that ride through a failover.

The URL names the sentinels, not a server; the client asks them for the current master of the
named group before every new connection::

    redis+sentinel://[[user]:password@]host1[:port],host2[:port],host3[:port]/<master>[/<db>]
        [?sentinel_password=...&sentinel_username=...&failover_window=<seconds>]

- ``user``/``password``: the credentials of the master and replicas (their ``requirepass`` or
  ACL user), percent-encoded like any URL;
- the hosts are the sentinels (port 26379 when omitted; IPv6 in brackets);
- ``<master>`` is the name given to ``sentinel monitor``; ``<db>`` defaults to 0;
- ``sentinel_password`` / ``sentinel_username``: only when the sentinels themselves require
  AUTH (their own ``requirepass``); they are separate from the data nodes' credentials;
- ``failover_window``: how long one command keeps retrying through a failover (default 15 s).

Why a window instead of a retry count: a plain client gives up after about a second, so that an
outage answers 503 quickly. A failover is not an outage: for ``down-after-milliseconds`` the
sentinels still name the dead master (connections are refused), then they name none (the
master is down, no replica promoted yet), then the new master. Each of these shows up as a
connection error (or, from a demoted master still answering, READONLY, which redis-py's
Sentinel connection turns into one); every one is retried, with the usual back-off, until the
window since the call's first failure has passed. Only then does the error reach the caller.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import redis
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import AbstractBackoff, NoBackoff
from redis.retry import Retry as SyncRetry
from redis.sentinel import Sentinel as SyncSentinel

from bot.errors import SetupError
from bot.redis_failover import (
    FailoverRetry,
    MasterConnection,
    NewestSentinel,
    SyncFailoverRetry,
    SyncMasterConnection,
)
from bot.sentinel_watch import watch_switches

SCHEME = "redis+sentinel"
DEFAULT_SENTINEL_PORT = 26379
DEFAULT_FAILOVER_WINDOW_SECONDS = 15.0
# A sentinel that does not answer within this is skipped for the next one.
SENTINEL_TIMEOUT_SECONDS = 1.0
_OPTIONS = {"sentinel_password", "sentinel_username", "failover_window"}


class RedisUrlError(SetupError):
    """The Redis URL cannot be used; the message says what is wrong and shows the form."""


@dataclass(frozen=True, slots=True)
class SentinelUrl:
    sentinels: list[tuple[str, int]]
    master: str
    db: int = 0
    username: str | None = None
    password: str | None = None
    sentinel_username: str | None = None
    sentinel_password: str | None = None
    failover_window: float = DEFAULT_FAILOVER_WINDOW_SECONDS


def is_sentinel_url(url: str) -> bool:
    return url.partition("://")[0].lower() == SCHEME


def parse_sentinel_url(url: str) -> SentinelUrl:
    """Read a ``redis+sentinel://`` URL (see the module docstring); raise ``RedisUrlError``."""
    form = f"{SCHEME}://[:password@]host1:26379,host2:26379,host3:26379/<master name>[/<db>]"
    if not is_sentinel_url(url):
        raise RedisUrlError(f"not a Sentinel URL; the form is {form}")
    rest = url.partition("://")[2]
    netloc, _, tail = rest.partition("/")
    credentials, _, hosts = netloc.rpartition("@")
    username, password = _credentials(credentials) if credentials else (None, None)
    path, _, query = tail.partition("?")
    parts = [unquote(part) for part in path.split("/") if part]
    if not parts or len(parts) > 2:
        raise RedisUrlError(f"a Sentinel URL names the master group and an optional db: {form}")
    db = 0
    if len(parts) == 2:
        if not parts[1].isdigit():
            raise RedisUrlError(f"the db must be a number, not {parts[1]!r}: {form}")
        db = int(parts[1])
    options = _options(query)
    return SentinelUrl(
        sentinels=[_host(host, form) for host in hosts.split(",")],
        master=parts[0],
        db=db,
        username=username,
        password=password,
        sentinel_username=options.get("sentinel_username"),
        sentinel_password=options.get("sentinel_password"),
        failover_window=_window(options.get("failover_window")),
    )


def build_async_master(
    url: str, options: dict[str, Any], backoff: AbstractBackoff
) -> aioredis.Redis:
    """An asyncio client of the group's current master. ``options`` are the connection options
    of a plain client (timeouts, health checks, the errors to retry) without its ``retry``."""
    parsed = parse_sentinel_url(url)
    sentinel = NewestSentinel(
        parsed.sentinels, sentinel_kwargs=_sentinel_kwargs(parsed, Retry(NoBackoff(), 0))
    )
    retry = FailoverRetry(backoff, parsed.failover_window)
    return sentinel.master_for(
        parsed.master,
        redis_class=_AsyncMaster,
        connection_class=MasterConnection,
        **_master_kwargs(parsed, options, retry),
    )


def build_sync_master(url: str, options: dict[str, Any], backoff: AbstractBackoff) -> redis.Redis:
    """The synchronous twin of ``build_async_master`` (for wechatpy's session storage)."""
    parsed = parse_sentinel_url(url)
    sentinel = SyncSentinel(
        parsed.sentinels, sentinel_kwargs=_sentinel_kwargs(parsed, SyncRetry(NoBackoff(), 0))
    )
    retry = SyncFailoverRetry(backoff, parsed.failover_window)
    return sentinel.master_for(
        parsed.master,
        redis_class=_SyncMaster,
        connection_class=SyncMasterConnection,
        **_master_kwargs(parsed, options, retry),
    )


class _AsyncMaster(aioredis.Redis):
    """A master client that can follow the sentinels' announcements (``watch_switches``) and
    whose ``aclose`` also closes what it opened to the sentinels (redis-py leaves them to
    whoever made the ``Sentinel``, which nobody else holds here)."""

    _watch: asyncio.Task[None] | None = None

    def follow_switches(self) -> None:
        """Start listening to the sentinels (once; needs a running event loop)."""
        if self._watch is None:
            self._watch = asyncio.create_task(
                watch_switches(self.connection_pool), name="sentinel-switch-watch"
            )

    async def aclose(self, close_connection_pool: bool | None = None) -> None:
        sentinels = self.connection_pool.sentinel_manager  # type: ignore[attr-defined]
        if self._watch is not None:
            self._watch.cancel()
            await asyncio.gather(self._watch, return_exceptions=True)
        try:
            await super().aclose(close_connection_pool)
        finally:
            # Not Sentinel.aclose: older redis-py versions this project allows lack it.
            for client in sentinels.sentinels:
                await client.aclose()


class _SyncMaster(redis.Redis):
    def close(self) -> None:
        sentinels = self.connection_pool.sentinel_manager  # type: ignore[attr-defined]
        try:
            super().close()
        finally:
            for client in sentinels.sentinels:
                client.close()


def _master_kwargs(parsed: SentinelUrl, options: dict[str, Any], retry: Any) -> dict[str, Any]:
    return {
        **options,
        "retry": retry,
        "db": parsed.db,
        "username": parsed.username,
        "password": parsed.password,
    }


def _sentinel_kwargs(parsed: SentinelUrl, retry: Any) -> dict[str, Any]:
    # One try per sentinel and short timeouts: discovery moves on to the next sentinel, and the
    # master client's failover window retries the whole discovery.
    return {
        "username": parsed.sentinel_username,
        "password": parsed.sentinel_password,
        "socket_connect_timeout": SENTINEL_TIMEOUT_SECONDS,
        "socket_timeout": SENTINEL_TIMEOUT_SECONDS,
        "retry": retry,
    }


def _credentials(userinfo: str) -> tuple[str | None, str | None]:
    # As in redis://: "user:password", ":password", or a lone user name.
    user, sep, password = userinfo.partition(":")
    return (unquote(user) or None), (unquote(password) if sep else None)


def _host(entry: str, form: str) -> tuple[str, int]:
    if not entry:
        raise RedisUrlError(f"a Sentinel URL lists at least one sentinel host: {form}")
    try:
        split = urlsplit(f"//{entry}")
        host, port = split.hostname, split.port
    except ValueError as exc:
        raise RedisUrlError(f"bad sentinel address {entry!r} ({exc}): {form}") from None
    if not host:
        raise RedisUrlError(f"bad sentinel address {entry!r}: {form}")
    return host, port or DEFAULT_SENTINEL_PORT


def _options(query: str) -> dict[str, str]:
    values = parse_qs(query, keep_blank_values=True, strict_parsing=False)
    unknown = sorted(set(values) - _OPTIONS)
    if unknown:
        known = ", ".join(sorted(_OPTIONS))
        raise RedisUrlError(f"unknown Sentinel URL option(s) {', '.join(unknown)}; known: {known}")
    return {name: value[-1] for name, value in values.items()}


def _window(value: str | None) -> float:
    if value is None:
        return DEFAULT_FAILOVER_WINDOW_SECONDS
    try:
        window = float(value)
    except ValueError:
        window = -1.0
    if not 0 < window <= 3600:
        raise RedisUrlError(f"failover_window is seconds between 0 and 3600, not {value!r}")
    return window


def follow_switches(client: aioredis.Redis) -> None:
    """Have a client built from a Sentinel URL leave an old master as soon as the sentinels
    announce a new one (``bot.sentinel_watch``)."""
    if isinstance(client, _AsyncMaster):
        client.follow_switches()
