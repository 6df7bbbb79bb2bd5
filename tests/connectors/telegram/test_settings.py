"""The ``telegram:`` section of the settings (bot/settings.py)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from connectors.telegram.settings import TelegramSettings
from switchboard.settings import Settings
from tests.connectors.telegram import updates


def test_disabled_by_default_and_needs_nothing() -> None:
    assert TelegramSettings().enabled is False


def test_webhook_mode_without_a_secret_token_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ValidationError, match="secret_token is missing"):
        TelegramSettings(enabled=True, bot_token=updates.TOKEN, mode="webhook")
    with pytest.raises(ValidationError, match="secret_token"):
        TelegramSettings(
            enabled=True, bot_token=updates.TOKEN, mode="webhook", secret_token="has spaces"
        )


def test_a_malformed_token_is_refused() -> None:
    with pytest.raises(ValidationError, match="bot_token"):
        TelegramSettings(enabled=True, bot_token="paste-here")


def test_secrets_never_show_in_the_settings_text() -> None:
    settings = Settings(
        telegram={
            "enabled": True,
            "bot_token": updates.TOKEN,
            "mode": "webhook",
            "secret_token": "s3cret-value",
        }
    )
    assert updates.TOKEN not in repr(settings) and updates.TOKEN not in str(settings)
    assert "s3cret-value" not in repr(settings)


def test_the_environment_can_set_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWITCHBOARD_TELEGRAM__BOT_TOKEN", updates.TOKEN)
    monkeypatch.setenv("SWITCHBOARD_TELEGRAM__ENABLED", "true")
    assert Settings().telegram.bot_token.get_secret_value() == updates.TOKEN
