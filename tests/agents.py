"""Console users for end-to-end tests: create one in Redis and sign in through the real API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from redis.asyncio import Redis

from auth.users import UserStore
from bot.brain import Brain
from switchboard.settings import Settings
from tests.live_server import live_server


def signed_in_agent(
    http: httpx.Client, redis_url: str, name: str, role: str = "agent"
) -> dict[str, str]:
    """Create ``name`` (password ``<name>-password``) and return its Authorization header."""

    async def add() -> None:
        async with Redis.from_url(redis_url, decode_responses=True) as connection:
            await UserStore(connection).add(name, role, f"{name}-password")

    asyncio.run(add())
    token = http.post("/api/auth/token", data={"username": name, "password": f"{name}-password"})
    token.raise_for_status()
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


async def bearer(api: httpx.AsyncClient, user: str) -> dict[str, str]:
    """Sign ``user`` (password ``<user>-password``) in through the API: its header."""
    response = await api.post(
        "/api/auth/token", data={"username": user, "password": f"{user}-password"}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@asynccontextmanager
async def api_with_users(
    settings: Settings,
    brain: Brain,
    redis: Redis,
    users: dict[str, str],
    *,
    http_timeout: float = 10,
) -> AsyncIterator[httpx.AsyncClient]:
    """The real app served on a free port, with ``users`` ({name: role}, password
    ``<name>-password``) created first: the ``api`` fixture of the API tests."""
    store = UserStore(redis)
    for name, role in users.items():
        await store.add(name, role, f"{name}-password")
    with live_server(settings, brain) as base:
        async with httpx.AsyncClient(base_url=base, timeout=http_timeout) as client:
            yield client
