"""The engine's settings, read from ``config.yml`` and overridden by ``SWITCHBOARD_...`` variables.

The sections of the parts that plug into the engine (handoff, each connector) live with those
parts; ``switchboard.settings.Settings`` puts them all into one class, which is what
``config.yml`` describes and ``load_settings`` returns.

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

from bot.assessment_settings import AssessmentSettings

PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "dev-only-secret"})


class RedisSettings(BaseModel):
    url: str | None = None
    embedded_binary: str = "redis-server"


class ServerSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)


def _default_body_limits() -> dict[str, int]:
    return {
        "/webchat": 256 * 1024,
        "/wechat": 64 * 1024,
        "/wecom-kf": 64 * 1024,
        "/telegram": 1024 * 1024,
    }


class HttpSettings(BaseModel):
    """Limits on what any HTTP request may cost: checked while the body streams in."""

    max_body_bytes: int = Field(default=256 * 1024, gt=0)
    # Path prefix -> its own limit (the longest matching prefix wins).
    body_limits: dict[str, int] = Field(default_factory=_default_body_limits)
    max_json_depth: int = Field(default=64, ge=2, le=1000)

    @model_validator(mode="after")
    def _check_prefixes(self) -> HttpSettings:
        for prefix, limit in self.body_limits.items():
            if not prefix.startswith("/") or limit <= 0:
                raise ValueError(
                    f"http.body_limits: {prefix!r} must be a path starting with / "
                    "and its limit a positive number of bytes"
                )
        return self


class InboxSettings(BaseModel):
    dedupe_ttl_seconds: int = Field(default=7 * 24 * 3600, gt=0)
    reclaim_idle_ms: int = Field(default=30_000, gt=0)
    read_count: int = Field(default=16, gt=0)
    block_ms: int = Field(default=1000, gt=0)
    max_deliveries: int = Field(default=5, gt=0)
    transcript_max: int = Field(default=1000, gt=0)
    # Replicas that must confirm an accepted message (WAIT) before it is acknowledged; None:
    # one with a Sentinel URL, none otherwise (bot/replication.py, docs/deploy.md).
    replica_acks: int | None = Field(default=None, ge=0)
    replica_ack_timeout_ms: int = Field(default=1000, gt=0)


class UnderstandingSettings(BaseModel):
    model: str = "builtin:multilingual-e5-small"
    threads: int = Field(default=1, ge=1)
    # "auto": the fastest backend within tolerance, measured once per machine (backend_choice).
    backend: Literal["auto", "onnx-int8", "onnx-fp32", "torch"] = "auto"
    intents_dir: Path = Path("intents")
    confidence_threshold: float = Field(default=0.35, ge=0, le=1)
    ambiguity_threshold: float = Field(default=0.05, ge=0, le=1)
    similarity_threshold: float = Field(default=0.80, ge=0, le=1)
    surface_weight: float = Field(default=0.3, ge=0, lt=1)
    # "auto": calibrate when the intent set is few-shot (see calibration.should_calibrate).
    calibrate: bool | Literal["auto"] = "auto"
    calibration_recall: float = Field(default=0.97, gt=0, le=1)


class TierRules(BaseModel):
    regular_after_active_days: int = Field(default=2, ge=1)
    loyal_after_active_days: int = Field(default=10, ge=1)


class PolicySettings(BaseModel):
    max_misunderstood: int = Field(default=2, ge=1)


class EngineSettings(BaseSettings):
    # Other parts' sections (handoff, connectors) are ignored here; the composed class
    # (switchboard.settings.Settings) knows them all and refuses unknown ones.
    model_config = SettingsConfigDict(
        env_prefix="SWITCHBOARD_", env_nested_delimiter="__", extra="ignore"
    )

    mode: Literal["dev", "production"] = "dev"
    data_dir: Path = Path(".switchboard")
    secret_key: str = "change-me"
    log_level: str = "INFO"
    run_worker_in_api: bool = True
    redis: RedisSettings = RedisSettings()
    server: ServerSettings = ServerSettings()
    http: HttpSettings = HttpSettings()
    inbox: InboxSettings = InboxSettings()
    understanding: UnderstandingSettings = UnderstandingSettings()
    policy: PolicySettings = PolicySettings()
    assessment: AssessmentSettings = AssessmentSettings()

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> EngineSettings:
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
