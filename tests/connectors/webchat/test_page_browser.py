"""The web chat page in real headless Chromium: after a hand-over it says a person will answer,
with no endless typing indicator, and goes back to the bot when the case is resolved."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import redis.asyncio as aioredis
from playwright.async_api import Browser, Page, async_playwright, expect

from auth.users import UserStore
from bot.brain import Brain
from switchboard.settings import Settings
from tests.agents import bearer
from tests.browser import chromium_options
from tests.live_server import live_server

SLOW = 20_000


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**chromium_options())
        yield browser
        await browser.close()


@pytest.fixture
def base_url(settings: Settings, brain: Brain, redis_client: aioredis.Redis) -> Iterator[str]:
    with live_server(settings, brain) as base:
        yield base


async def _send(page: Page, text: str) -> None:
    await page.get_by_label("Message").fill(text)
    await page.get_by_label("Message").press("Enter")


async def test_after_a_hand_over_the_page_says_a_person_will_answer(
    browser: Browser, base_url: str, redis_client: aioredis.Redis
) -> None:
    await UserStore(redis_client).add("li.na", "agent", "li.na-password")
    context = await browser.new_context(base_url=base_url, locale="en-US")
    page = await context.new_page()
    errors: list[Exception] = []
    page.on("pageerror", lambda error: errors.append(error))
    await page.goto("/webchat")
    status = page.get_by_role("status")
    await expect(status).to_be_hidden()

    await _send(page, "I want to talk to a person")
    await expect(page.locator(".msg.bot")).to_have_count(1, timeout=SLOW)  # the hand-over ack
    await expect(status).to_be_visible(timeout=SLOW)
    await expect(status).to_contain_text("A person will answer you here")
    await expect(status).to_contain_text("人工客服会在这里回复您")

    # The bot is silent now: no "…" waiting for an answer that only a person gives.
    await _send(page, "hello? anyone there?")
    await expect(page.locator(".msg.customer:not(.pending)")).to_have_count(2, timeout=SLOW)
    await expect(page.locator("#typing")).to_have_count(0)

    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        agent = await bearer(http, "li.na")
        [ticket] = (await http.get("/api/tickets", headers=agent)).json()
        await http.post(f"/api/tickets/{ticket['id']}/claim", headers=agent)
        await http.post(
            f"/api/tickets/{ticket['id']}/messages",
            headers=agent,
            json={"text": "Hi, I'm Li Na. How can I help?"},
        )
        await expect(page.locator(".msg.agent")).to_contain_text("Li Na", timeout=SLOW)
        await expect(status).to_be_visible()
        resolved = await http.post(
            f"/api/tickets/{ticket['id']}/resolve", headers=agent, json={"ask_csat": False}
        )
        assert resolved.status_code == 200, resolved.text
    await expect(status).to_be_hidden(timeout=SLOW)  # the bot answers again
    assert not errors
    await context.close()
