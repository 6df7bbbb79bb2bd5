"""The Telegram section of config.yml (see docs/telegram.md)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator


class TelegramSettings(BaseModel):
    """The Telegram bot (see docs/telegram.md). Secrets are SecretStr: never shown in logs."""

    enabled: bool = False
    bot_token: SecretStr = SecretStr("")
    mode: Literal["webhook", "polling"] = "polling"
    public_url: str = ""
    secret_token: SecretStr = SecretStr("")
    allowed_updates: list[str] = Field(default_factory=lambda: ["message", "my_chat_member"])
    api_base_url: str = "https://api.telegram.org/bot"
    bot_username: str = ""
    poll_timeout_seconds: int = Field(default=25, ge=0, le=50)
    request_timeout_seconds: float = Field(default=10.0, gt=0)

    @model_validator(mode="after")
    def _check_enabled(self) -> TelegramSettings:
        if not self.enabled:
            return self
        if not re.fullmatch(r"\d+:[A-Za-z0-9_-]+", self.bot_token.get_secret_value()):
            raise ValueError(
                "telegram.bot_token is missing or malformed: use the token "
                "BotFather gave you (digits, a colon, then letters)"
            )
        if self.mode == "webhook" and not re.fullmatch(
            r"[A-Za-z0-9_-]{1,256}", self.secret_token.get_secret_value()
        ):
            raise ValueError(
                "telegram.mode is webhook but telegram.secret_token is missing or invalid: set "
                "1-256 characters of A-Z a-z 0-9 _ - (e.g. `python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))'`), so that forged updates can be refused"
            )
        if self.public_url and not self.public_url.startswith(("https://", "http://")):
            raise ValueError("telegram.public_url must start with https://")
        return self
