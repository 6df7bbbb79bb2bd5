"""The message types' JSON: what dataclasses.asdict would give, and it reads back the same."""

from __future__ import annotations

import json
from dataclasses import asdict

from bot.messages import InboundMessage, OutboundReply, Sender


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
        raw_ref="update:99",
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
