"""Fixtures: a Telegram Bot API stand-in on 127.0.0.1 and settings pointing the client at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.telegram.settings import TelegramSettings
from switchboard.settings import Settings
from tests.connectors.telegram import updates
from tests.connectors.telegram.standin import TelegramStandIn, running

SECRET = "webhook-secret_0123456789"


@pytest.fixture
def standin() -> TelegramStandIn:
    return TelegramStandIn(updates.TOKEN, username=updates.BOT["username"])


@pytest.fixture
def api_base_url(standin: TelegramStandIn) -> Iterator[str]:
    with running(standin) as base:
        yield base


@pytest.fixture
def telegram_settings(api_base_url: str) -> TelegramSettings:
    return TelegramSettings(
        enabled=True,
        bot_token=updates.TOKEN,
        mode="polling",
        api_base_url=api_base_url,
        poll_timeout_seconds=1,
        request_timeout_seconds=2,
    )


def with_telegram(settings: Settings, **telegram: object) -> Settings:
    """``settings`` with Telegram enabled as given (the section validated as in a config file)."""
    section = TelegramSettings.model_validate(
        {"enabled": True, "bot_token": updates.TOKEN, **telegram}
    )
    return settings.model_copy(update={"telegram": section})
