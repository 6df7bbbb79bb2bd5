"""Settings validation and how the connector is wired into the runtime."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis
from pydantic import ValidationError

from connectors.wechat.settings import WechatSettings, WecomKfSettings
from switchboard.runtime import build_connector_loops, build_routers, build_senders
from switchboard.settings import Settings
from tests.connectors.wechat.pushes import AES_KEY


def test_disabled_sections_need_nothing() -> None:
    assert not WechatSettings().enabled and not WecomKfSettings().enabled


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"app_id": "wx1"}, "not set: token, encoding_aes_key"),
        ({"app_id": "wx1", "token": "t"}, "not set: encoding_aes_key"),
        ({"app_id": "wx1", "token": "t", "encoding_aes_key": "short"}, "43-character"),
    ],
)
def test_an_enabled_account_must_be_complete(values: dict, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason) as error:
        WechatSettings(enabled=True, app_secret="s3cr3t-value", **values)
    assert "s3cr3t-value" not in str(error.value)


def test_plaintext_mode_needs_no_aes_key() -> None:
    section = WechatSettings(
        enabled=True, app_id="wx1", app_secret="s", token="t", security_mode="plaintext"
    )
    assert section.security_mode == "plaintext"


def test_wecom_kf_needs_its_account() -> None:
    with pytest.raises(ValidationError, match="open_kfid"):
        WecomKfSettings(
            enabled=True, corp_id="ww1", secret="s", token="t", encoding_aes_key=AES_KEY
        )


def test_secrets_stay_out_of_the_settings_repr(wechat_settings: Settings) -> None:
    shown = repr(wechat_settings.wechat) + repr(wechat_settings.wecom_kf)
    assert wechat_settings.wechat.app_secret.get_secret_value() not in shown
    assert AES_KEY not in shown and "switchboard-test-token" not in shown


async def test_enabled_sections_add_senders_routes_and_loops(
    wechat_settings: Settings, redis_client: aioredis.Redis
) -> None:
    senders = build_senders(redis_client, wechat_settings)
    assert {"wechat", "wecom_kf"} <= set(senders)
    paths = {route.path for router in build_routers(wechat_settings) for route in router.routes}
    assert {"/wechat/callback", "/wecom-kf/callback"} <= paths
    names = {loop.name for loop in build_connector_loops(redis_client, wechat_settings)}
    assert {"wechat-comments", "wecom-kf-sync"} <= names


async def test_disabled_sections_add_nothing(
    settings: Settings, redis_client: aioredis.Redis
) -> None:
    assert not {"wechat", "wecom_kf"} & set(build_senders(redis_client, settings))
    names = {loop.name for loop in build_connector_loops(redis_client, settings)}
    assert not {"wechat-comments", "wecom-kf-sync"} & names
