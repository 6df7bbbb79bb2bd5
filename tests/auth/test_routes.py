"""Sign-in, sign-out and the end of sessions, through the real app under uvicorn."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis

from bot.brain import Brain
from switchboard.settings import Settings
from tests.agents import api_with_users, bearer

# Long enough that four argon2 checks fit in it on a loaded 2-core machine (each takes a good
# part of a second there); the test waits it out once at the end.
WINDOW_SECONDS = 8


@pytest.fixture
async def api(
    settings: Settings, brain: Brain, redis_client: Redis
) -> AsyncIterator[httpx.AsyncClient]:
    handoff = settings.handoff.model_copy(
        update={"signin_failures_per_account": 3, "signin_window_seconds": WINDOW_SECONDS}
    )
    limited = settings.model_copy(update={"handoff": handoff})
    users = {"alice": "agent", "root": "admin"}
    async with api_with_users(limited, brain, redis_client, users) as client:
        yield client


async def _sign_in(api: httpx.AsyncClient, user: str, password: str) -> httpx.Response:
    return await api.post("/api/auth/token", data={"username": user, "password": password})


async def test_wrong_passwords_lock_the_account_for_the_window(
    api: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    for attempt in range(3):
        wrong = await _sign_in(api, "alice", f"guess-number-{attempt}")
        assert wrong.status_code == 401
    locked = await _sign_in(api, "alice", "guess-number-4")
    assert locked.status_code == 429
    wait = int(locked.headers["Retry-After"])
    assert 1 <= wait <= WINDOW_SECONDS
    detail = locked.json()["detail"]
    assert "Too many" in detail["message"] and "登录失败次数过多" in detail["message_zh"]
    assert detail["retry_after"] == wait
    # The right password during the lock-out is refused too: no oracle for a guesser.
    assert (await _sign_in(api, "alice", "alice-password")).status_code == 429
    assert "guess-number" not in caplog.text and "alice-password" not in caplog.text
    assert "Sign-in refused for 'alice'" in caplog.text

    deadline = time.monotonic() + WINDOW_SECONDS + 5
    while (response := await _sign_in(api, "alice", "alice-password")).status_code == 429:
        assert time.monotonic() < deadline, "the lock-out outlived its window"
        await asyncio.sleep(0.2)
    assert response.status_code == 200


async def test_sign_out_ends_the_token(api: httpx.AsyncClient) -> None:
    alice = await bearer(api, "alice")
    other = await bearer(api, "alice")  # another tab or device
    assert (await api.delete("/api/auth/token", headers=alice)).status_code == 204
    assert (await api.get("/api/me", headers=alice)).status_code == 401
    assert (await api.post("/api/events/ticket", headers=alice)).status_code == 401
    assert (await api.get("/api/me", headers=other)).status_code == 200


async def test_a_password_change_ends_every_session(api: httpx.AsyncClient) -> None:
    alice, other = await bearer(api, "alice"), await bearer(api, "alice")
    wrong = await api.put(
        "/api/me/password",
        headers=alice,
        json={"current_password": "nope", "new_password": "new-password-1"},
    )
    assert wrong.status_code == 400
    changed = await api.put(
        "/api/me/password",
        headers=alice,
        json={"current_password": "alice-password", "new_password": "new-password-1"},
    )
    assert changed.status_code == 204
    for header in (alice, other):
        assert (await api.get("/api/me", headers=header)).status_code == 401
    assert (await _sign_in(api, "alice", "new-password-1")).status_code == 200


async def test_an_admin_ends_sessions_and_changes_roles(api: httpx.AsyncClient) -> None:
    alice, root = await bearer(api, "alice"), await bearer(api, "root")
    assert (await api.delete("/api/users/root/sessions", headers=alice)).status_code == 403
    assert (await api.delete("/api/users/ghost/sessions", headers=root)).status_code == 404
    ended = await api.delete("/api/users/alice/sessions", headers=root)
    assert ended.json() == {"ended": 1}
    assert (await api.get("/api/me", headers=alice)).status_code == 401

    alice = await bearer(api, "alice")
    promoted = await api.put("/api/users/alice/role", headers=root, json={"role": "admin"})
    assert promoted.json()["role"] == "admin"
    assert (await api.get("/api/me", headers=alice)).status_code == 401
    assert (
        await api.put("/api/users/alice/role", headers=root, json={"role": "boss"})
    ).status_code == 422

    alice = await bearer(api, "alice")
    reset = await api.put(
        "/api/users/alice/password", headers=root, json={"password": "reset-by-root"}
    )
    assert reset.status_code == 204
    assert (await api.get("/api/me", headers=alice)).status_code == 401
    users = (await api.get("/api/users", headers=root)).json()
    assert {u["username"]: u["role"] for u in users} == {"alice": "admin", "root": "admin"}
    assert all("password" not in u for u in users)
