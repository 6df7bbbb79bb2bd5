from __future__ import annotations

import time

import pytest
import redis.asyncio as aioredis

from connectors.wechat.window import CustomerUnreachable, ServiceWindow, unreachable

USER = "oUser"


async def test_a_message_grants_five_sends_within_48_hours(
    redis_client: aioredis.Redis,
) -> None:
    window = ServiceWindow(redis_client, "wechat")
    now = time.time()
    await window.opened(USER, "message", at=now)
    for _ in range(5):
        assert await window.reserve(USER, at=now + 60) == "message"
    with pytest.raises(CustomerUnreachable) as refused:
        await window.reserve(USER, at=now + 60)
    assert refused.value.reason == "count_exceeded"
    assert (await unreachable(redis_client, "wechat", USER))["reason"] == "count_exceeded"


async def test_after_48_hours_the_window_is_closed(redis_client: aioredis.Redis) -> None:
    window = ServiceWindow(redis_client, "wechat")
    now = time.time()
    await window.opened(USER, "message", at=now)
    with pytest.raises(CustomerUnreachable) as refused:
        await window.reserve(USER, at=now + 48 * 3600 + 1)
    assert refused.value.reason == "window_closed"


async def test_a_user_never_seen_is_unreachable(redis_client: aioredis.Redis) -> None:
    with pytest.raises(CustomerUnreachable, match="window_closed"):
        await ServiceWindow(redis_client, "wechat").reserve("oStranger")


async def test_a_menu_click_grants_three_sends_within_a_minute(
    redis_client: aioredis.Redis,
) -> None:
    window = ServiceWindow(redis_client, "wechat")
    now = time.time()
    await window.opened(USER, "event", at=now)
    assert [await window.reserve(USER, at=now + 1) for _ in range(3)] == ["event"] * 3
    with pytest.raises(CustomerUnreachable):
        await window.reserve(USER, at=now + 1)
    await window.opened(USER, "event", at=now)
    with pytest.raises(CustomerUnreachable, match="window_closed"):
        await window.reserve(USER, at=now + 61)


async def test_writing_again_reopens_and_clears_the_mark(redis_client: aioredis.Redis) -> None:
    window = ServiceWindow(redis_client, "wechat")
    error = await window.refused(USER, 45015)
    assert (error.reason, error.code) == ("window_closed", 45015)
    assert (await unreachable(redis_client, "wechat", USER))["code"] == 45015
    await window.opened(USER, "message")
    assert await unreachable(redis_client, "wechat", USER) is None
    assert await window.reserve(USER) == "message"


async def test_a_released_send_is_given_back(redis_client: aioredis.Redis) -> None:
    window = ServiceWindow(redis_client, "wechat")
    await window.opened(USER, "message")
    for _ in range(5):
        grant = await window.reserve(USER)
    await window.release(USER, grant)
    assert await window.reserve(USER) == "message"
