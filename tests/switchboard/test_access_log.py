"""No token, stream ticket, WeChat openid or web chat conversation id in the logs."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from redis.asyncio import Redis

from auth.users import UserStore
from bot.brain import Brain
from switchboard.access_log import ACCESS_LOGGER, redact_path
from switchboard.settings import Settings
from tests.live_server import live_server

CONVERSATION = "conv-7f3a9c2e1b8d4a60"
OPENID = "oAbCdEfGhIjKlMnOpQrStUvWxYz12"


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/webchat/conversations/conv-1/messages", "/webchat/conversations/***/messages"),
        (
            "/webchat/conversations/conv-1/messages?after=3",
            "/webchat/conversations/***/messages?***",
        ),
        ("/wechat/callback?signature=ab&timestamp=1&nonce=2&openid=oX", "/wechat/callback?***"),
        ("/api/events?ticket=secret", "/api/events?***"),
        ("/api/tickets/t-1", "/api/tickets/t-1"),
    ],
)
def test_paths_lose_their_secrets(path: str, logged: str) -> None:
    assert redact_path(path) == logged


@contextmanager
def captured_access_log() -> Iterator[io.StringIO]:
    """What uvicorn's access logger writes. Attach it once the server runs: uvicorn's logging
    set-up replaces the handlers of its loggers when it starts."""
    logger = logging.getLogger(ACCESS_LOGGER)
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)  # the test server runs with log_level="warning"
    try:
        yield output
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def test_a_session_a_stream_and_a_web_chat_poll_leave_no_secret_in_the_logs(
    settings: Settings,
    brain: Brain,
    redis_client: Redis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    await UserStore(redis_client).add("alice", "agent", "alice-password")
    with live_server(settings, brain) as base, captured_access_log() as access_log:
        async with httpx.AsyncClient(base_url=base, timeout=10) as api:
            signed_in = await api.post(
                "/api/auth/token", data={"username": "alice", "password": "alice-password"}
            )
            token = signed_in.json()["access_token"]
            header = {"Authorization": f"Bearer {token}"}
            ticket = (await api.post("/api/events/ticket", headers=header)).json()["ticket"]
            async with api.stream("GET", f"/api/events?ticket={ticket}") as stream:
                async for line in stream.aiter_lines():
                    if line == ": connected":
                        break
            await api.post(
                "/webchat/messages",
                json={"conversation_id": CONVERSATION, "text": "退货政策是什么?"},
            )
            poll = await api.get(f"/webchat/conversations/{CONVERSATION}/messages")
            assert poll.status_code == 200
            await api.get(f"/wechat/callback?signature=0&timestamp=1&nonce=2&openid={OPENID}")
            await api.delete("/api/auth/token", headers=header)

    access = access_log.getvalue()
    # The server's own log lines (the test's HTTP client logs its URLs: not the server's).
    server_log = "\n".join(
        record.getMessage()
        for record in caplog.records
        if not record.name.startswith(("httpx", "httpcore"))
    )
    assert '"GET /webchat/conversations/***/messages HTTP/1.1" 200' in access
    assert '"GET /api/events?*** HTTP/1.1" 200' in access
    for secret in (token, ticket, CONVERSATION, OPENID, "alice-password"):
        assert secret not in access, f"{secret} in the access log"
        assert secret not in server_log, f"{secret} in the application log"
