"""The WeChat sections of config.yml: the official account and WeCom customer service."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator


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
