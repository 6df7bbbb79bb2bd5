"""Polling mode: the same scenarios as the webhook, with getUpdates against the stand-in."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator

import pytest
import redis
from redis.asyncio import Redis

from bot import keys
from bot.brain import Brain
from bot.inbox import Inbox
from connectors.telegram.polling import Poller
from switchboard.settings import Settings
from tests.connectors.telegram import updates
from tests.connectors.telegram.conftest import with_telegram
from tests.connectors.telegram.standin import TelegramStandIn
from tests.live_server import live_server


@pytest.fixture
def polling_app(
    settings: Settings, brain: Brain, standin: TelegramStandIn, api_base_url: str, redis_url: str
) -> Iterator[None]:
    redis.Redis.from_url(redis_url).flushdb()
    # A webhook left over from an earlier set-up: getUpdates is refused until it is removed.
    standin.webhook = {"url": "https://old.example.com/telegram/webhook"}
    app_settings = with_telegram(
        settings, mode="polling", api_base_url=api_base_url, poll_timeout_seconds=1
    )
    with live_server(app_settings, brain):
        yield


def test_a_private_message_delivered_three_times_is_answered_once(
    polling_app: None, standin: TelegramStandIn, redis_url: str
) -> None:
    payload = updates.private_text("what is your return policy?")
    for _ in range(3):
        standin.push_update(payload)
    [reply] = standin.wait_for_sent(updates.CUSTOMER["id"], 1)
    assert "7 days" in reply.text
    assert standin.webhook is None
    time.sleep(0.5)
    assert len(standin.sent_to(updates.CUSTOMER["id"])) == 1
    offset = redis.Redis.from_url(redis_url).get(keys.telegram_poll_offset())
    assert offset is not None and json.loads(offset) == payload["update_id"] + 1


def test_mentions_and_comments_are_answered_in_place_and_the_rest_is_not(
    polling_app: None, standin: TelegramStandIn
) -> None:
    mention, comment = updates.group_mention(), updates.discussion_comment("hello")
    for payload in (
        updates.edited_message(),
        updates.group_chatter(),
        updates.member_joined(),
        mention,
        comment,
    ):
        standin.push_update(payload)
    [in_group] = standin.wait_for_sent(updates.GROUP["id"], 1)
    assert in_group.reply_to_message_id == mention["message"]["message_id"]
    [in_thread] = standin.wait_for_sent(updates.DISCUSSION["id"], 1)
    assert in_thread.reply_to_message_id == comment["message"]["message_id"]
    time.sleep(0.5)
    assert len(standin.sent) == 2


async def test_only_one_process_polls_at_a_time(
    settings: Settings, redis_client: Redis, standin: TelegramStandIn, api_base_url: str
) -> None:
    app_settings = with_telegram(
        settings, mode="polling", api_base_url=api_base_url, poll_timeout_seconds=1
    )
    pollers = [
        Poller(
            redis_client,
            app_settings.telegram,
            Inbox(redis_client, app_settings.inbox, f"telegram-poller-{n}"),
        )
        for n in range(2)
    ]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(poller.run(stop)) for poller in pollers]
    await asyncio.sleep(1.0)
    standin.push_update(updates.private_text("hello"))
    deadline = time.monotonic() + 10
    while await redis_client.xlen(keys.INBOX_STREAM) < 1:
        assert time.monotonic() < deadline, "the update was not queued"
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)
    stop.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 10)
    assert standin.conflicts == 0
    assert await redis_client.xlen(keys.INBOX_STREAM) == 1
    assert not await redis_client.exists(keys.telegram_poll_lock())  # released on the way out
