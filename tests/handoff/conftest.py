"""Fixtures of the handoff tests: one headless Chromium per module for the browser tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, async_playwright

from tests.browser import chromium_options


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    # The async API: the sync one runs its own event loop, which pytest-asyncio's fixtures
    # (the Redis client, the user store) cannot share.
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**chromium_options())
        yield browser
        await browser.close()
