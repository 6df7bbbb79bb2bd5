from __future__ import annotations

import logging

import pytest
from pydantic import SecretStr
from redis.asyncio import Redis

from bot import keys
from connectors.telegram.client import (
    BotIdentity,
    IdentityCache,
    TokenRejected,
    build_bot,
    close_bot,
    fetch_identity,
)
from connectors.telegram.settings import TelegramSettings
from tests.connectors.telegram import updates


async def test_the_identity_comes_from_get_me_and_is_shared_through_redis(
    redis_client: Redis, telegram_settings: TelegramSettings
) -> None:
    cache = IdentityCache(telegram_settings)
    assert await cache.get(redis_client) is None
    bot = build_bot(telegram_settings)
    try:
        identity = await fetch_identity(bot, redis_client)
    finally:
        await close_bot(bot)
    assert identity == BotIdentity(updates.BOT["id"], "brand_bot")
    assert await cache.get(redis_client) == identity
    assert await redis_client.exists(keys.telegram_bot_identity())


async def test_a_configured_username_needs_no_lookup(redis_client: Redis) -> None:
    settings = TelegramSettings(enabled=True, bot_token=updates.TOKEN, bot_username="@brand_bot")
    assert await IdentityCache(settings).get(redis_client) == BotIdentity(7000001, "brand_bot")


async def test_a_rejected_token_is_reported_without_the_token(
    redis_client: Redis, telegram_settings: TelegramSettings
) -> None:
    wrong = telegram_settings.model_copy(
        update={"bot_token": SecretStr("7000001:not-the-right-one")}
    )
    bot = build_bot(wrong)
    try:
        with pytest.raises(TokenRejected) as raised:
            await fetch_identity(bot, redis_client)
    finally:
        await close_bot(bot)
    assert "not-the-right-one" not in str(raised.value)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


async def test_the_token_never_reaches_the_log(
    redis_client: Redis, telegram_settings: TelegramSettings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    bot = build_bot(telegram_settings)
    try:
        await fetch_identity(bot, redis_client)
    finally:
        await close_bot(bot)
    assert "getMe" in caplog.text  # httpx logged the request...
    assert updates.TOKEN not in caplog.text  # ...without the token in its URL
