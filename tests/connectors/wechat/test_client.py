"""The shared access token, against the stand-in, with wechatpy's real client."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

import redis

from bot import keys
from connectors.wechat.client import OfficialAccountClient, session_storage
from tests.connectors.wechat.conftest import wechat_section
from tests.connectors.wechat.standin import APP_SECRET, StandinState


def _client(base_url: str, redis_url: str) -> OfficialAccountClient:
    return OfficialAccountClient(wechat_section(base_url), session_storage(redis_url))


def test_workers_share_one_token_fetched_once(
    standin: tuple[str, StandinState], redis_url: str
) -> None:
    base, state = standin
    redis.Redis.from_url(redis_url).flushdb()
    state.token_fetch_delay = 0.3  # several workers ask while the first fetch is under way
    clients = [_client(base, redis_url) for _ in range(6)]
    with ThreadPoolExecutor(6) as pool:
        tokens = list(pool.map(lambda c: c.access_token, clients))
    assert len(set(tokens)) == 1
    assert state.token_fetches == 1
    stored = redis.Redis.from_url(redis_url, decode_responses=True).keys("sb:wechat:session:*")
    assert stored and not any(APP_SECRET in key for key in stored)


def test_a_token_near_expiry_is_refreshed_early(
    standin: tuple[str, StandinState], redis_url: str
) -> None:
    base, state = standin
    redis.Redis.from_url(redis_url).flushdb()
    client = _client(base, redis_url)
    first = client.access_token
    client.expires_at = int(client.expires_at) - 7200 + 120  # two minutes left
    assert client.access_token != first
    assert state.token_fetches == 2


def test_an_invalidated_token_is_replaced_and_the_call_retried(
    standin: tuple[str, StandinState], redis_url: str
) -> None:
    base, state = standin
    redis.Redis.from_url(redis_url).flushdb()
    client = _client(base, redis_url)
    client.access_token  # noqa: B018
    state.expire_tokens()  # e.g. someone fetched a token elsewhere, invalidating ours
    client.message.send_text("oUser", "hello")
    assert state.sent[-1]["text"]["content"] == "hello"
    assert state.token_fetches == 2


def test_the_token_lives_under_our_key_prefix(
    standin: tuple[str, StandinState], redis_url: str
) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    client = _client(standin[0], redis_url)
    token = client.access_token
    raw = redis.Redis.from_url(redis_url, decode_responses=True).get(
        keys.wechat_session(client.access_token_key)
    )
    assert raw == f'"{token}"'


def test_request_logs_never_show_the_secret_or_token(
    standin: tuple[str, StandinState], redis_url: str, caplog
) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    client = _client(standin[0], redis_url)
    with caplog.at_level(logging.DEBUG, logger="urllib3"):
        token = client.access_token
        client.message.send_text("oUser", "hello")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/cgi-bin/token" in logged
    assert APP_SECRET not in logged and token not in logged
