"""The message types' JSON: every field round-trips, and messages queued by an older version
are still read."""

from __future__ import annotations

import json
from dataclasses import asdict, replace

from bot.messages import InboundMessage, OutboundReply, Sender
from bot.vocabulary import ChannelKind, MessageKind
from tests.factories import inbound


def test_a_message_queued_by_an_older_version_is_read_with_its_kind() -> None:
    old = json.loads(inbound("[photo]", platform="telegram").to_json())
    del old["kind"], old["detail"]
    old["raw_ref"] = "media:photo:AgAC-1"
    message = InboundMessage.from_json(json.dumps(old))
    assert (message.kind, message.detail) == (MessageKind.MEDIA, "photo:AgAC-1")
    assert message.channel is ChannelKind.PRIVATE


def test_a_message_keeps_its_kind_through_the_stream() -> None:
    click = replace(inbound("ORDER"), kind=MessageKind.MENU_CLICK, detail="ORDER")
    again = InboundMessage.from_json(click.to_json())
    assert again == click and again.kind is MessageKind.MENU_CLICK


def test_an_inbound_message_round_trips_with_every_field() -> None:
    message = InboundMessage(
        platform="telegram",
        channel="comment",
        chat_id="-100123",
        sender=Sender(user_id="42", display_name="李雷", username="lilei"),
        text='退货政策是什么? "quoted" \\ and 👍',
        platform_message_id="m-7",
        thread_id="t-1",
        reply_to="m-6",
        timestamp=1764660000.25,
        kind=MessageKind.MEDIA,
        detail="photo:AgAC-9",
    )
    assert message.to_json() == json.dumps(asdict(message), ensure_ascii=False)
    assert InboundMessage.from_json(message.to_json()) == message


def test_a_reply_round_trips_with_every_field() -> None:
    reply = OutboundReply(
        reply_id="r-1",
        platform="wechat",
        conversation_key="wechat:o1:o1",
        chat_id="o1",
        text="您好, 已为您转人工",
        channel="comment",
        in_reply_to="m-1",
        thread_id="t",
        author="agent",
        agent="alice",
        intent="refund_status",
        created_at=1764660001.5,
        user_id="o1",
        private_details="ticket abc",
    )
    assert reply.to_json() == json.dumps(asdict(reply), ensure_ascii=False)
    assert OutboundReply.from_json(reply.to_json()) == reply
