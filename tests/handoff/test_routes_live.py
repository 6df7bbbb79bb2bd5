"""The live event stream ends with its session: open it, revoke, see it close within 2 s."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from redis.asyncio import Redis

from bot.brain import Brain
from switchboard.settings import Settings
from tests.agents import api_with_users, bearer

Revoke = Callable[[httpx.AsyncClient, dict[str, str]], Awaitable[httpx.Response]]


@pytest.fixture
async def api(
    settings: Settings, brain: Brain, redis_client: Redis
) -> AsyncIterator[httpx.AsyncClient]:
    users = {"alice": "agent", "root": "admin"}
    async with api_with_users(settings, brain, redis_client, users) as client:
        yield client


async def _open_stream(
    api: httpx.AsyncClient, header: dict[str, str]
) -> tuple[asyncio.Task[list[str]], asyncio.Event]:
    ticket = (await api.post("/api/events/ticket", headers=header)).json()["ticket"]
    connected = asyncio.Event()

    async def read() -> list[str]:
        lines = []
        async with api.stream("GET", "/api/events", params={"ticket": ticket}) as stream:
            assert stream.status_code == 200
            async for line in stream.aiter_lines():
                lines.append(line)
                if line == ": connected":
                    connected.set()
        return lines

    return asyncio.create_task(read()), connected


async def _sign_out(api: httpx.AsyncClient, alice: dict[str, str]) -> httpx.Response:
    return await api.delete("/api/auth/token", headers=alice)


async def _admin_revokes(api: httpx.AsyncClient, alice: dict[str, str]) -> httpx.Response:
    return await api.delete("/api/users/alice/sessions", headers=await bearer(api, "root"))


async def _password_change(api: httpx.AsyncClient, alice: dict[str, str]) -> httpx.Response:
    return await api.put(
        "/api/me/password",
        headers=alice,
        json={"current_password": "alice-password", "new_password": "another-password"},
    )


@pytest.mark.parametrize("revoke", [_sign_out, _admin_revokes, _password_change])
async def test_the_stream_closes_within_2_s_of_the_session_ending(
    api: httpx.AsyncClient,
    revoke: Revoke,
) -> None:
    alice = await bearer(api, "alice")
    reader, connected = await _open_stream(api, alice)
    await asyncio.wait_for(connected.wait(), 10)
    assert (await revoke(api, alice)).is_success
    revoked_at = time.monotonic()
    lines = await asyncio.wait_for(reader, 10)
    assert time.monotonic() - revoked_at < 2.0
    assert "event: session_ended" in lines
    assert (await api.get("/api/me", headers=alice)).status_code == 401


async def test_a_stream_ticket_opens_one_stream_only(api: httpx.AsyncClient) -> None:
    alice = await bearer(api, "alice")
    ticket = (await api.post("/api/events/ticket", headers=alice)).json()
    assert ticket["expires_in"] == 30
    async with api.stream("GET", "/api/events", params={"ticket": ticket["ticket"]}) as first:
        assert first.status_code == 200
        again = await api.get("/api/events", params={"ticket": ticket["ticket"]})
        assert again.status_code == 401
    # A bearer token in the query string is not accepted at all.
    token = alice["Authorization"].removeprefix("Bearer ")
    assert (await api.get("/api/events", params={"token": token})).status_code == 401
