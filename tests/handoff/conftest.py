"""Fixtures of the handoff tests: one headless Chromium per module for the browser tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, BrowserContext, async_playwright

from tests.browser import chromium_options


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    # The async API: the sync one runs its own event loop, which pytest-asyncio's fixtures
    # (the Redis client, the user store) cannot share.
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**chromium_options())
        yield browser
        await browser.close()


@pytest.fixture
async def context(browser: Browser, base_url: str) -> AsyncIterator[BrowserContext]:
    """A fresh browser profile on the test's app (each test module provides ``base_url``)."""
    context = await browser.new_context(
        base_url=base_url, locale="en-US", viewport={"width": 1400, "height": 900}
    )
    yield context
    await context.close()
