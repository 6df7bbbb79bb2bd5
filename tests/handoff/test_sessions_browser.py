"""Console sessions in real headless Chromium: signing out ends the session on the server (the
old token gets 401, every live stream of it closes), a session ended elsewhere returns the
console to the sign-in screen, repeated wrong passwords are throttled, and no token ever
travels in a URL."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest
import redis.asyncio as aioredis
from playwright.async_api import BrowserContext, Page, expect

from auth.users import UserStore
from bot import keys
from bot.brain import Brain
from switchboard.settings import Settings
from tests.agents import bearer
from tests.live_server import live_server

AGENT, PASSWORD = "li.na", "correct-horse-battery"


@pytest.fixture
async def users(redis_client: aioredis.Redis) -> UserStore:
    store = UserStore(redis_client)
    await store.add(AGENT, "agent", PASSWORD)
    await store.add("root", "admin", "root-password")
    return store


@pytest.fixture
def base_url(settings: Settings, brain: Brain, users: UserStore) -> Iterator[str]:
    with live_server(settings, brain) as base:
        yield base


async def sign_in(console: Page, password: str = PASSWORD) -> None:
    await console.goto("/console")
    await console.get_by_label("Username").fill(AGENT)
    await console.get_by_label("Password").fill(password)
    await console.get_by_role("button", name="Sign in").click()


async def console_token(console: Page) -> str:
    return await console.evaluate(
        "JSON.parse(sessionStorage.getItem('switchboard.console.session')).token"
    )


async def live_streams(redis: aioredis.Redis) -> int:
    """Open event streams, as Redis counts their subscriptions."""
    [(_, count)] = await redis.pubsub_numsub(keys.CONSOLE_CHANNEL)
    return int(count)


async def wait_for_streams(redis: aioredis.Redis, count: int, within: float) -> float:
    """Seconds until exactly ``count`` streams are open."""
    start = time.monotonic()
    while await live_streams(redis) != count:
        assert time.monotonic() - start < within, f"still {await live_streams(redis)} streams"
        await asyncio.sleep(0.05)
    return time.monotonic() - start


async def test_sign_out_revokes_the_token_and_closes_the_stream(
    context: BrowserContext,
    base_url: str,
    redis_client: aioredis.Redis,
) -> None:
    console = await context.new_page()
    urls: list[str] = []
    console.on("request", lambda request: urls.append(request.url))
    await sign_in(console)
    await expect(console.locator("#live")).to_have_text("Live")
    token = await console_token(console)
    await wait_for_streams(redis_client, 1, 10)

    await console.get_by_role("button", name="Sign out").click()
    await expect(console.get_by_role("button", name="Sign in")).to_be_visible()
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as api:
        old = {"Authorization": f"Bearer {token}"}
        assert (await api.get("/api/me", headers=old)).status_code == 401
        assert (await api.post("/api/events/ticket", headers=old)).status_code == 401
    assert await wait_for_streams(redis_client, 0, 5) < 2.0
    assert any("/api/events?ticket=" in url for url in urls)
    assert not [url for url in urls if token in url]


async def test_a_session_ended_elsewhere_returns_the_console_to_sign_in(
    context: BrowserContext,
    base_url: str,
    redis_client: aioredis.Redis,
) -> None:
    console = await context.new_page()
    await sign_in(console)
    await expect(console.locator("#live")).to_have_text("Live")
    await wait_for_streams(redis_client, 1, 10)

    async with httpx.AsyncClient(base_url=base_url, timeout=10) as api:
        root = await bearer(api, "root")
        ended = await api.delete(f"/api/users/{AGENT}/sessions", headers=root)
        assert ended.json() == {"ended": 1}
    await expect(console.locator("#signin-error")).to_have_text(
        "You were signed out (here or elsewhere, or your password or role changed). "
        "Please sign in again.",
        timeout=3_000,
    )
    await expect(console.locator("#app")).to_be_hidden()
    assert await wait_for_streams(redis_client, 0, 5) < 2.0


async def test_repeated_wrong_passwords_show_when_to_try_again(
    context: BrowserContext,
    base_url: str,
    settings: Settings,
) -> None:
    console = await context.new_page()
    await console.goto("/console")
    error = console.locator("#signin-error")
    for _ in range(settings.handoff.signin_failures_per_account):
        await sign_in(console, "not-the-password")
        await expect(error).to_have_text("Wrong username or password.")
        await error.evaluate("node => { node.textContent = ''; }")
    await sign_in(console)  # the right one, too late
    await expect(error).to_contain_text("Too many failed sign-ins. Try again in")
    await expect(console.locator("#app")).to_be_hidden()
