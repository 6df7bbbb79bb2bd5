"""Console users for end-to-end tests: create one in Redis and sign in through the real API."""

from __future__ import annotations

import asyncio

import httpx
from redis.asyncio import Redis

from auth.users import UserStore


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
