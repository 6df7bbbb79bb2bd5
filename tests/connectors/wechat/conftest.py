"""Fixtures of the WeChat connector's tests: the API stand-in and settings pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from connectors.wechat.settings import WechatSettings, WecomKfSettings
from switchboard.settings import Settings
from tests.connectors.wechat.pushes import AES_KEY, OLD_AES_KEY, OPEN_KFID, TOKEN
from tests.connectors.wechat.standin import (
    APP_ID,
    APP_SECRET,
    CORP_ID,
    KF_SECRET,
    StandinState,
    running_standin,
)


@pytest.fixture
def standin() -> Iterator[tuple[str, StandinState]]:
    with running_standin() as running:
        yield running


@pytest.fixture
def standin_state(standin: tuple[str, StandinState]) -> StandinState:
    return standin[1]


def wechat_section(base_url: str, **overrides: object) -> WechatSettings:
    values: dict[str, object] = {
        "enabled": True,
        "app_id": APP_ID,
        "app_secret": APP_SECRET,
        "token": TOKEN,
        "encoding_aes_key": AES_KEY,
        "previous_encoding_aes_key": OLD_AES_KEY,
        "security_mode": "compatible",
        "api_base_url": base_url,
        "request_timeout_seconds": 2,
        "comment_poll_seconds": 0.2,
        "comment_articles": [{"msg_data_id": "2247483650", "index": 0}],
    }
    values.update(overrides)
    return WechatSettings(**values)


def kf_section(base_url: str) -> WecomKfSettings:
    return WecomKfSettings(
        enabled=True,
        corp_id=CORP_ID,
        secret=KF_SECRET,
        token=TOKEN,
        encoding_aes_key=AES_KEY,
        open_kfid=OPEN_KFID,
        api_base_url=base_url,
        request_timeout_seconds=2,
    )


@pytest.fixture
def wechat_settings(
    settings: Settings, standin: tuple[str, StandinState], redis_url: str
) -> Settings:
    """WeChat and WeCom enabled against the stand-in; no worker (tests that need one ask)."""
    redis.Redis.from_url(redis_url).flushdb()
    return settings.model_copy(
        update={
            "wechat": wechat_section(standin[0]),
            "wecom_kf": kf_section(standin[0]),
            "run_worker_in_api": False,
        }
    )
