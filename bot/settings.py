"""Settings: one class, read from ``config.yml`` and overridden by ``SWITCHBOARD_...`` variables.

Precedence, highest first: keyword arguments, environment (``SWITCHBOARD_SERVER__PORT=9000``;
nested keys joined by ``__``; plain ``REDIS_URL`` also works), the YAML file, the defaults here.
The YAML file is ``$SWITCHBOARD_CONFIG`` if set, else ``config.yml`` in the working directory.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
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


class PolicySettings(BaseModel):
    max_misunderstood: int = Field(default=2, ge=1)


Severity = Literal["normal", "negative", "crisis"]
Tier = Literal["new", "regular", "loyal", "vip"]
TIERS: tuple[Tier, ...] = ("new", "regular", "loyal", "vip")
SEVERITIES: tuple[Severity, ...] = ("normal", "negative", "crisis")


class ServiceLevel(BaseModel):
    priority: int = Field(ge=1, le=99)
    first_response_minutes: float = Field(gt=0)


def _default_service_levels() -> dict[str, dict[str, ServiceLevel]]:
    table = {  # severity -> tier -> (priority, minutes)
        "crisis": {"vip": (1, 5), "loyal": (1, 10), "regular": (2, 15), "new": (2, 15)},
        "negative": {"vip": (2, 10), "loyal": (3, 20), "regular": (4, 30), "new": (4, 30)},
        "normal": {"vip": (3, 15), "loyal": (5, 30), "regular": (6, 45), "new": (7, 60)},
    }
    return {
        severity: {
            tier: ServiceLevel(priority=p, first_response_minutes=m)
            for tier, (p, m) in tiers.items()
        }
        for severity, tiers in table.items()
    }


class TeamSettings(BaseModel):
    timezone: str = "Asia/Shanghai"
    # Weekday -> "HH:MM-HH:MM" (comma-separated ranges); empty mapping = around the clock.
    hours: dict[str, str] = Field(default_factory=dict)


class TierRules(BaseModel):
    regular_after_active_days: int = Field(default=2, ge=1)
    loyal_after_active_days: int = Field(default=10, ge=1)


class HandoffSettings(BaseModel):
    service_levels: dict[Severity, dict[Tier, ServiceLevel]] = Field(
        default_factory=_default_service_levels
    )
    default_team: str = "support"
    teams: dict[str, TeamSettings] = Field(default_factory=lambda: {"support": TeamSettings()})
    grace_minutes: float = Field(default=30, ge=0)
    auto_assign: bool = True
    offline_release_seconds: float = Field(default=120, gt=0)
    presence_timeout_seconds: float = Field(default=90, gt=0)
    breach_webhook_url: str | None = None
    token_ttl_hours: float = Field(default=12, gt=0)
    # Sign-in throttling: this many failures of one account, or from one client address,
    # within the window lock further attempts until the window ends.
    signin_failures_per_account: int = Field(default=5, ge=1)
    signin_failures_per_address: int = Field(default=20, ge=1)
    signin_window_seconds: float = Field(default=300, gt=0)
    watch_interval_seconds: float = Field(default=5, gt=0)
    tiers: TierRules = TierRules()

    @model_validator(mode="after")
    def _complete_tables(self) -> HandoffSettings:
        for severity in SEVERITIES:
            missing = [t for t in TIERS if t not in self.service_levels.get(severity, {})]
            if missing:
                raise ValueError(f"handoff.service_levels.{severity} lacks tiers {missing}")
        if self.default_team not in self.teams:
            raise ValueError(f"handoff.default_team {self.default_team!r} is not in teams")
        return self


class WebchatSettings(BaseModel):
    enabled: bool = True
    max_text_chars: int = Field(default=2000, gt=0)


class WechatArticle(BaseModel):
    """One published article whose comments (留言) are polled."""

    msg_data_id: str = Field(min_length=1)
    index: int = Field(default=0, ge=0)


class WechatSettings(BaseModel):
    """A WeChat official account (公众号): server URL pushes, customer-service replies, comments."""

    # Validation errors would otherwise quote the input, secrets included.
    model_config = ConfigDict(hide_input_in_errors=True)

    enabled: bool = False
    app_id: str = ""
    app_secret: SecretStr = SecretStr("")
    token: SecretStr = SecretStr("")
    encoding_aes_key: SecretStr = SecretStr("")
    previous_encoding_aes_key: SecretStr = SecretStr("")
    security_mode: Literal["plaintext", "compatible", "safe"] = "safe"
    api_base_url: str = "https://api.weixin.qq.com/cgi-bin/"
    request_timeout_seconds: float = Field(default=5.0, gt=0)
    comment_articles: list[WechatArticle] = []
    comment_poll_seconds: float = Field(default=60.0, gt=0)
    # Signed pushes whose timestamp is further than this from our clock are refused (replays).
    timestamp_window_seconds: int = Field(default=300, gt=0)

    @model_validator(mode="after")
    def _complete_when_enabled(self) -> WechatSettings:
        if self.enabled:
            required = ["app_id", "app_secret", "token"]
            if self.security_mode != "plaintext":
                required.append("encoding_aes_key")
            _require(self, "wechat", required)
            _check_aes_keys(self, "wechat")
        return self


class WecomKfSettings(BaseModel):
    """WeCom customer service (微信客服): callback, sync_msg pulls and send_msg replies."""

    # Validation errors would otherwise quote the input, secrets included.
    model_config = ConfigDict(hide_input_in_errors=True)

    enabled: bool = False
    corp_id: str = ""
    secret: SecretStr = SecretStr("")
    token: SecretStr = SecretStr("")
    encoding_aes_key: SecretStr = SecretStr("")
    previous_encoding_aes_key: SecretStr = SecretStr("")
    open_kfid: str = ""
    api_base_url: str = "https://qyapi.weixin.qq.com/cgi-bin/"
    request_timeout_seconds: float = Field(default=5.0, gt=0)
    # Callbacks whose timestamp is further than this from our clock are refused (replays).
    timestamp_window_seconds: int = Field(default=300, gt=0)

    @model_validator(mode="after")
    def _complete_when_enabled(self) -> WecomKfSettings:
        if self.enabled:
            _require(
                self, "wecom_kf", ["corp_id", "secret", "token", "encoding_aes_key", "open_kfid"]
            )
            _check_aes_keys(self, "wecom_kf")
        return self


def _require(section: BaseModel, name: str, fields: list[str]) -> None:
    missing = [f for f in fields if not _plain(getattr(section, f)).strip()]
    if missing:
        raise ValueError(f"{name} is enabled but these are not set: {', '.join(missing)}")


def _check_aes_keys(section: BaseModel, name: str) -> None:
    # An EncodingAESKey is 43 characters of base64 (a 32-byte AES key without its "=").
    for field in ("encoding_aes_key", "previous_encoding_aes_key"):
        value = _plain(getattr(section, field))
        if value and (len(value) != 43 or not value.replace("+", "").replace("/", "").isalnum()):
            raise ValueError(f"{name}.{field} must be the 43-character EncodingAESKey")


def _plain(value: object) -> str:
    return value.get_secret_value() if isinstance(value, SecretStr) else str(value)


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
    http: HttpSettings = HttpSettings()
    inbox: InboxSettings = InboxSettings()
    understanding: UnderstandingSettings = UnderstandingSettings()
    policy: PolicySettings = PolicySettings()
    assessment: AssessmentSettings = AssessmentSettings()
    handoff: HandoffSettings = HandoffSettings()
    webchat: WebchatSettings = WebchatSettings()
    wechat: WechatSettings = WechatSettings()
    wecom_kf: WecomKfSettings = WecomKfSettings()
    telegram: TelegramSettings = TelegramSettings()

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
