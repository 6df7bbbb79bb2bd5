"""A complaint under a channel post, end to end: ticket, public note, private details, and the
agent's answer in the comment thread. Real app, worker, classifier and console API; Telegram
played by the stand-in."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
import redis

from bot.brain import Brain
from connectors.telegram.webhook import SECRET_HEADER, WEBHOOK_PATH
from switchboard.settings import Settings
from tests.agents import signed_in_agent
from tests.connectors.telegram import updates
from tests.connectors.telegram.conftest import SECRET, with_telegram
from tests.connectors.telegram.standin import TelegramStandIn
from tests.live_server import live_server


@pytest.fixture
def client(
    settings: Settings, brain: Brain, standin: TelegramStandIn, api_base_url: str, redis_url: str
) -> Iterator[httpx.Client]:
    redis.Redis.from_url(redis_url).flushdb()
    app_settings = with_telegram(
        settings,
        mode="webhook",
        public_url="https://bot.example.com",
        secret_token=SECRET,
        api_base_url=api_base_url,
    )
    with live_server(app_settings, brain) as base, httpx.Client(base_url=base, timeout=10) as http:
        deadline = time.monotonic() + 10
        while standin.webhook is None:
            assert time.monotonic() < deadline, "the webhook was not registered"
            time.sleep(0.05)
        yield http


def test_a_complaint_in_a_comment_becomes_a_ticket_and_the_agent_answers_in_the_thread(
    client: httpx.Client, standin: TelegramStandIn, redis_url: str
) -> None:
    headers = {SECRET_HEADER: SECRET}
    # The customer once talked to the bot in private, so details can go there.
    client.post(WEBHOOK_PATH, json=updates.private_text("hi"), headers=headers)
    standin.wait_for_sent(updates.CUSTOMER["id"], 1)

    comment = updates.discussion_comment("收到的面霜是坏的，包装都破了，太差劲了，我要投诉！")
    assert client.post(WEBHOOK_PATH, json=comment, headers=headers).status_code == 200
    [note] = standin.wait_for_sent(updates.DISCUSSION["id"], 1)
    assert note.reply_to_message_id == comment["message"]["message_id"]  # in the thread
    assert "分钟" not in note.text  # the public note stays short: no promise in public
    _, details = standin.wait_for_sent(updates.CUSTOMER["id"], 2)
    assert "分钟" in details.text  # the promise, in private

    agent = signed_in_agent(client, redis_url, "mei")
    [ticket] = client.get("/api/tickets", headers=agent).json()
    assert ticket["channel"] == "comment" and ticket["severity"] in ("negative", "crisis")
    assert ticket["customer"]["display_name"] == "Li Wei"
    assert ticket["customer"]["username"] == "liwei"
    answer = client.post(
        f"/api/tickets/{ticket['id']}/messages",
        headers=agent,
        json={"text": "非常抱歉！已私信您安排换新。"},
    )
    assert answer.status_code == 202
    _, agent_sent = standin.wait_for_sent(updates.DISCUSSION["id"], 2)
    assert agent_sent.text == "非常抱歉！已私信您安排换新。"
    assert (
        agent_sent.message_thread_id == updates.POST_IN_DISCUSSION
        or agent_sent.reply_to_message_id
        in (updates.POST_IN_DISCUSSION, comment["message"]["message_id"])
    )
