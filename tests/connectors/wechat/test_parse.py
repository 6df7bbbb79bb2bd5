from __future__ import annotations

import pytest

from bot.vocabulary import MessageKind
from connectors.wechat.parse import normalize
from tests.connectors.wechat.pushes import fixture

USER = "oia2TjjewbmiOUlr6X-1crbLOvLw"


def test_text_message_is_classifier_text_keyed_by_msgid() -> None:
    push = normalize(fixture("text"))
    assert push.message is not None
    assert push.message.text == "退货政策是什么?"
    assert push.message.platform_message_id == "1234567890123456"
    assert push.message.conversation_key == f"wechat:{USER}:{USER}"
    assert push.message.channel == "private"
    assert push.message.timestamp == 1348831860
    assert push.opens == "message"


def test_voice_uses_wechats_recognition_text() -> None:
    push = normalize(fixture("voice"))
    assert push.message is not None
    assert (push.message.text, push.message.kind) == ("我的快递到哪里了", MessageKind.VOICE_TEXT)


@pytest.mark.parametrize(
    ("name", "media", "shown"),
    [
        ("image", "image", "[image] http://mmbiz.qpic.cn/mmbiz_jpg/example/0"),
        ("voice_unrecognized", "voice", "[voice]"),
        ("location", "location", "[location] 位置信息 (23.134521, 113.358803)"),
        ("link", "link", "[link] 公众平台官网链接 https://mp.weixin.qq.com/"),
    ],
)
def test_other_media_carry_a_marker(name: str, media: str, shown: str) -> None:
    push = normalize(fixture(name))
    assert push.message is not None
    message = push.message
    assert (message.kind, message.detail, message.text) == (MessageKind.MEDIA, media, shown)
    assert push.opens == "message"


def test_subscribe_is_queued_for_a_welcome_and_keyed_by_user_time_event() -> None:
    push = normalize(fixture("subscribe"))
    assert push.message is not None
    assert push.message.kind is MessageKind.SUBSCRIBE
    assert push.message.platform_message_id == f"{USER}:1348831860:subscribe"
    assert push.opens == "event"


def test_menu_click_carries_its_key() -> None:
    push = normalize(fixture("click"))
    assert push.message is not None
    assert (push.message.kind, push.message.detail) == (MessageKind.MENU_CLICK, "ORDER_STATUS")
    assert push.message.platform_message_id == f"{USER}:1348831870:CLICK"


def test_unsubscribe_is_not_queued() -> None:
    push = normalize(fixture("unsubscribe"))
    assert push.message is None and push.unsubscribed and push.user_id == USER


@pytest.mark.parametrize("name", ["view", "unknown"])
def test_other_events_and_unknown_types_are_acknowledged_not_queued(name: str) -> None:
    push = normalize(fixture(name))
    assert push.message is None and not push.unsubscribed
