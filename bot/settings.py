"""Settings: one class, read from ``config.yml`` and overridden by ``SWITCHBOARD_...`` variables.

Precedence, highest first: keyword arguments, environment (``SWITCHBOARD_SERVER__PORT=9000``;
nested keys joined by ``__``; plain ``REDIS_URL`` also works), the YAML file, the defaults here.
The YAML file is ``$SWITCHBOARD_CONFIG`` if set, else ``config.yml`` in the working directory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "dev-only-secret"})


class RedisSettings(BaseModel):
    url: str | None = None
    embedded_binary: str = "redis-server"


class ServerSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)


class InboxSettings(BaseModel):
    dedupe_ttl_seconds: int = Field(default=7 * 24 * 3600, gt=0)
    reclaim_idle_ms: int = Field(default=30_000, gt=0)
    read_count: int = Field(default=16, gt=0)
    block_ms: int = Field(default=1000, gt=0)
    max_deliveries: int = Field(default=5, gt=0)
    transcript_max: int = Field(default=1000, gt=0)


class UnderstandingSettings(BaseModel):
    model: str = "builtin:multilingual-e5-small"
    threads: int = Field(default=1, ge=1)
    intents_dir: Path = Path("intents")
    confidence_threshold: float = Field(default=0.45, ge=0, le=1)
    ambiguity_threshold: float = Field(default=0.08, ge=0, le=1)
    similarity_threshold: float = Field(default=0.80, ge=0, le=1)


class PolicySettings(BaseModel):
    max_misunderstood: int = Field(default=2, ge=1)


class WebchatSettings(BaseModel):
    enabled: bool = True
    max_text_chars: int = Field(default=2000, gt=0)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SWITCHBOARD_", env_nested_delimiter="__", extra="forbid"
    )

    mode: Literal["dev", "production"] = "dev"
    data_dir: Path = Path(".switchboard")
    secret_key: str = "change-me"
    log_level: str = "INFO"
    run_worker_in_api: bool = True
    redis: RedisSettings = RedisSettings()
    server: ServerSettings = ServerSettings()
    inbox: InboxSettings = InboxSettings()
    understanding: UnderstandingSettings = UnderstandingSettings()
    policy: PolicySettings = PolicySettings()
    webchat: WebchatSettings = WebchatSettings()

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.mode != "dev" and self.secret_key.strip().lower() in PLACEHOLDER_SECRETS:
            raise ValueError(
                "secret_key is a placeholder; set SWITCHBOARD_SECRET_KEY to a long random value "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`) "
                "or use mode: dev"
            )
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        yaml_file = _config_path()
        sources: list[PydanticBaseSettingsSource] = [init_settings, _PlainRedisUrl(settings_cls)]
        sources.append(env_settings)
        if yaml_file is not None:
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=yaml_file))
        return tuple(sources)

    @property
    def model_cache_dir(self) -> Path:
        return self.data_dir / "models"


class _PlainRedisUrl(PydanticBaseSettingsSource):
    """``REDIS_URL`` is the variable every Redis user already knows; honour it."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        url = os.environ.get("REDIS_URL")
        if url and not os.environ.get("SWITCHBOARD_REDIS__URL"):
            return {"redis": {"url": url}}
        return {}


def _config_path() -> Path | None:
    explicit = os.environ.get("SWITCHBOARD_CONFIG")
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise FileNotFoundError(f"SWITCHBOARD_CONFIG points at {path}, which does not exist")
        return path
    default = Path("config.yml")
    return default if default.is_file() else None


def load_settings(**overrides: Any) -> Settings:
    """Build the settings from config.yml, the environment and ``overrides``."""
    return Settings(**overrides)
