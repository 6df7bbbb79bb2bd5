"""The ``redis+sentinel://`` URL: what it means, what is refused, and what a log line shows."""

from __future__ import annotations

import time

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.redis_conn import _redact, build_client, build_sync_client, connect
from bot.redis_sentinel import RedisUrlError, SentinelUrl, is_sentinel_url, parse_sentinel_url
from tests.live_server import free_port


def test_a_full_url_names_sentinels_master_db_and_both_credentials() -> None:
    url = (
        "redis+sentinel://app:p%40ss%3Aword@10.0.0.1:26380,sentinel-b,[::1]:26381/orders/3"
        "?sentinel_password=s3cret&sentinel_username=watch&failover_window=7.5"
    )
    assert parse_sentinel_url(url) == SentinelUrl(
        sentinels=[("10.0.0.1", 26380), ("sentinel-b", 26379), ("::1", 26381)],
        master="orders",
        db=3,
        username="app",
        password="p@ss:word",
        sentinel_username="watch",
        sentinel_password="s3cret",
        failover_window=7.5,
    )


def test_the_short_form_has_the_defaults() -> None:
    parsed = parse_sentinel_url("redis+sentinel://:pw@h1:26379,h2:26379,h3:26379/mymaster")
    assert (parsed.master, parsed.db, parsed.username, parsed.password) == (
        "mymaster",
        0,
        None,
        "pw",
    )
    assert parsed.sentinel_password is None
    assert parsed.failover_window == 15.0
    assert is_sentinel_url("REDIS+SENTINEL://h/m")
    assert not is_sentinel_url("redis://localhost:6379/0")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("redis+sentinel://h1:26379", "names the master group"),
        ("redis+sentinel://h1/m/0/extra", "names the master group"),
        ("redis+sentinel://h1/m/zero", "db must be a number"),
        ("redis+sentinel://h1,,h2/m", "at least one sentinel host"),
        ("redis+sentinel://h1:port/m", "bad sentinel address"),
        ("redis+sentinel://h1/m?sentinel_pasword=x", "unknown Sentinel URL option"),
        ("redis+sentinel://h1/m?failover_window=0", "failover_window is seconds"),
        ("redis+sentinel://h1/m?failover_window=soon", "failover_window is seconds"),
    ],
)
def test_a_bad_url_is_refused_with_the_reason_and_the_form(url: str, reason: str) -> None:
    with pytest.raises(RedisUrlError, match=reason):
        parse_sentinel_url(url)
    with pytest.raises(RedisUrlError):
        build_client(url)
    with pytest.raises(RedisUrlError):
        build_sync_client(url)


def test_log_lines_never_show_either_password() -> None:
    url = "redis+sentinel://app:data-secret@h1,h2/m/0?sentinel_password=sentinel-secret&x=1"
    shown = _redact(url)
    assert "data-secret" not in shown
    assert "sentinel-secret" not in shown
    assert shown == "redis+sentinel://app:***@h1,h2/m/0?sentinel_password=***&x=1"
    assert _redact("redis://:pa?ss@host:6379/0") == "redis://:***@host:6379/0"
    assert _redact("redis://localhost:6379/0") == "redis://localhost:6379/0"


async def test_with_no_sentinel_answering_the_client_gives_up_after_its_window() -> None:
    """The window bounds the retries: a real outage still reaches the caller (and the app's
    503 handler), and the message names no password."""
    url = f"redis+sentinel://:hidden@127.0.0.1:{free_port()}/m?failover_window=0.5"
    began = time.monotonic()
    with pytest.raises(ConnectionError) as caught:
        await connect(url)
    assert 0.5 <= time.monotonic() - began < 5
    assert isinstance(caught.value.__cause__, RedisConnectionError)
    assert "hidden" not in str(caught.value)
    sync = build_sync_client(url)
    with pytest.raises(RedisConnectionError):
        sync.ping()
    sync.close()
