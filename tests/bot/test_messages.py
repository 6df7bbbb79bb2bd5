"""The inbound message's wire form, old and new."""

from __future__ import annotations

import json
from dataclasses import replace

from bot.messages import InboundMessage
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
