"""Webhook mode end to end: the real app, worker and classifier; Telegram played by the stand-in."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import redis
from fastapi import FastAPI
from pydantic import SecretStr
from redis.asyncio import Redis

from bot import keys
from bot.brain import Brain
from bot.inbox import Inbox
from bot.messages import OutboundReply
from connectors.telegram.client import BotIdentity
from connectors.telegram.settings import TelegramSettings
from connectors.telegram.webhook import (
    SECRET_HEADER,
    WEBHOOK_PATH,
    WebhookRegistration,
    build_router,
)
from switchboard.settings import Settings
from tests.connectors.telegram import updates
from tests.connectors.telegram.conftest import SECRET, with_telegram
from tests.connectors.telegram.standin import TelegramStandIn
from tests.live_server import live_server

PUBLIC_URL = "https://bot.example.com"


@pytest.fixture
def client(
    settings: Settings, brain: Brain, standin: TelegramStandIn, api_base_url: str, redis_url: str
) -> Iterator[httpx.Client]:
    redis.Redis.from_url(redis_url).flushdb()
    app_settings = with_telegram(
        settings,
        mode="webhook",
        public_url=PUBLIC_URL,
        secret_token=SECRET,
        api_base_url=api_base_url,
    )
    with live_server(app_settings, brain) as base, httpx.Client(base_url=base, timeout=10) as http:
        deadline = time.monotonic() + 10
        while standin.webhook is None:  # start-up registration done
            assert time.monotonic() < deadline, "the webhook was not registered"
            time.sleep(0.05)
        yield http


def _post(
    client: httpx.Client, payload: dict[str, Any], secret: str | None = SECRET
) -> httpx.Response:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    return client.post(WEBHOOK_PATH, json=payload, headers=headers)


def test_start_up_registers_the_webhook_with_its_secret_and_update_types(
    client: httpx.Client, standin: TelegramStandIn
) -> None:
    assert standin.webhook is not None
    assert standin.webhook["url"] == PUBLIC_URL + WEBHOOK_PATH
    assert standin.webhook["secret_token"] == SECRET
    assert standin.webhook["allowed_updates"] == ["message", "my_chat_member"]
    assert standin.calls.index("getMe") < standin.calls.index("setWebhook")


def test_a_missing_or_forged_secret_is_refused_and_nothing_is_queued(
    client: httpx.Client, redis_url: str
) -> None:
    for secret in (None, "", "forged", SECRET + "x", SECRET[:-1]):
        response = _post(client, updates.private_text("hello"), secret)
        assert response.status_code == 403, secret
        assert SECRET_HEADER in response.json()["detail"]
    assert redis.Redis.from_url(redis_url).xlen(keys.INBOX_STREAM) == 0


def test_a_body_that_is_not_an_update_is_refused(client: httpx.Client, redis_url: str) -> None:
    for body, content_type, status in [
        (b"{not json", "application/json", 400),
        (b'{"message": {}}', "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b'{"update_id": "1"}', "application/json", 400),
        (b"update_id=1", "text/plain", 415),
    ]:
        response = client.post(
            WEBHOOK_PATH,
            content=body,
            headers={SECRET_HEADER: SECRET, "content-type": content_type},
        )
        assert response.status_code == status, body
        assert response.json()["detail"]
    assert redis.Redis.from_url(redis_url).xlen(keys.INBOX_STREAM) == 0


def test_an_update_delivered_three_times_is_answered_once(
    client: httpx.Client, standin: TelegramStandIn
) -> None:
    payload = updates.private_text("what is your return policy?")
    assert [_post(client, payload).status_code for _ in range(3)] == [200, 200, 200]
    [reply] = standin.wait_for_sent(updates.CUSTOMER["id"], 1)
    assert "7 days" in reply.text
    time.sleep(0.5)  # a second answer would have had time to arrive
    assert len(standin.sent_to(updates.CUSTOMER["id"])) == 1


def test_a_group_mention_is_answered_as_a_reply_to_it(
    client: httpx.Client, standin: TelegramStandIn
) -> None:
    payload = updates.group_mention("what is your return policy?")
    assert _post(client, payload).status_code == 200
    [reply] = standin.wait_for_sent(updates.GROUP["id"], 1)
    assert reply.reply_to_message_id == payload["message"]["message_id"]


def test_a_comment_is_answered_in_its_thread_and_an_agents_reply_follows_it_there(
    client: httpx.Client, standin: TelegramStandIn, redis_url: str
) -> None:
    payload = updates.discussion_comment("what is your return policy?")
    assert _post(client, payload).status_code == 200
    [bot_reply] = standin.wait_for_sent(updates.DISCUSSION["id"], 1)
    assert bot_reply.reply_to_message_id == payload["message"]["message_id"]
    conversation = (
        f"telegram:{updates.DISCUSSION['id']}:{updates.CUSTOMER['id']}:"
        f"post{updates.POST_IN_DISCUSSION}"
    )
    agent_reply = OutboundReply(
        reply_id="agent:test-1",
        platform="telegram",
        conversation_key=conversation,
        chat_id=str(updates.DISCUSSION["id"]),
        text="Hi, Mei here from the team: DM sent.",
        channel="comment",
        thread_id=f"post{updates.POST_IN_DISCUSSION}",
        author="agent",
    )
    redis.Redis.from_url(redis_url).xadd(keys.OUTBOX_STREAM, {"reply": agent_reply.to_json()})
    _, agent_sent = standin.wait_for_sent(updates.DISCUSSION["id"], 2)
    assert agent_sent.text == agent_reply.text
    assert agent_sent.reply_to_message_id == updates.POST_IN_DISCUSSION  # in the thread
    transcript = redis.Redis.from_url(redis_url).lrange(keys.transcript(conversation), 0, -1)
    entries = [json.loads(item) for item in transcript]
    assert [e["role"] for e in entries] == ["customer", "bot", "agent"]
    assert entries[0]["sender"] == "Li Wei"


def test_media_are_accepted_and_queued_as_media_never_a_crash(
    client: httpx.Client, redis_url: str
) -> None:
    for payload in (updates.sticker(), updates.photo("the box was crushed"), updates.voice()):
        assert _post(client, payload).status_code == 200
    conversation = f"telegram:{updates.CUSTOMER['id']}:{updates.CUSTOMER['id']}"
    transcript = redis.Redis.from_url(redis_url).lrange(keys.transcript(conversation), 0, -1)
    customer_lines = [e["text"] for e in map(json.loads, transcript) if e["role"] == "customer"]
    assert customer_lines == ["[sticker 😀]", "[photo] the box was crushed", "[voice]"]


def test_edits_and_service_messages_are_acknowledged_and_not_answered(
    client: httpx.Client, standin: TelegramStandIn
) -> None:
    for payload in (
        updates.edited_message(),
        updates.member_joined(),
        updates.group_chatter(),
        updates.automatic_forward(),
        updates.bot_blocked(),
        {"update_id": updates.next_update_id(), "a_future_kind": {"id": 1}},
    ):
        assert _post(client, payload).status_code == 200
    # The next message of the same customer is answered, and is the only one answered.
    assert _post(client, updates.private_text("hello")).status_code == 200
    standin.wait_for_sent(updates.CUSTOMER["id"], 1)
    time.sleep(0.5)
    assert len(standin.sent) == 1


def test_a_burst_to_one_chat_is_answered_about_once_a_second(
    client: httpx.Client, standin: TelegramStandIn
) -> None:
    texts = ["hello", "what is your return policy?", "how long does shipping take?"]
    for text in texts:
        assert _post(client, updates.private_text(text)).status_code == 200
    sent = standin.wait_for_sent(updates.CUSTOMER["id"], 3)
    gaps = [b.at - a.at for a, b in itertools.pairwise(sent)]
    assert all(gap >= 0.8 for gap in gaps), gaps


async def test_registration_is_retried_until_telegram_takes_it(
    redis_client: Redis, standin: TelegramStandIn, telegram_settings: TelegramSettings
) -> None:
    section = telegram_settings.model_copy(
        update={"mode": "webhook", "public_url": PUBLIC_URL, "secret_token": SecretStr(SECRET)}
    )
    standin.script("setWebhook", 502, "Bad Gateway")
    stop = asyncio.Event()
    task = asyncio.create_task(WebhookRegistration(redis_client, section).run(stop))
    deadline = time.monotonic() + 10
    while standin.webhook is None:
        assert time.monotonic() < deadline, "the webhook was not registered"
        await asyncio.sleep(0.05)
    assert standin.calls.count("setWebhook") == 2
    assert not task.done()  # it stays up until shutdown, so /healthz does not see a crash
    stop.set()
    await asyncio.wait_for(task, 5)


async def test_updates_wait_for_the_bots_identity_with_a_retryable_503(
    redis_client: Redis, settings: Settings
) -> None:
    section = with_telegram(settings, mode="webhook", secret_token=SECRET).telegram
    app = FastAPI()
    app.include_router(build_router(section))
    app.state.redis, app.state.inbox = redis_client, Inbox(redis_client, settings.inbox, "t")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
        response = await http.post(
            WEBHOOK_PATH, json=updates.private_text("hi"), headers={SECRET_HEADER: SECRET}
        )
        assert response.status_code == 503  # Telegram delivers it again later
        await redis_client.set(
            keys.telegram_bot_identity(), BotIdentity(updates.BOT["id"], "brand_bot").to_json()
        )
        response = await http.post(
            WEBHOOK_PATH, json=updates.private_text("hi"), headers={SECRET_HEADER: SECRET}
        )
        assert response.status_code == 200
    assert await redis_client.xlen(keys.INBOX_STREAM) == 1


def test_an_update_without_a_chat_is_400_and_logged_without_its_text(
    client: httpx.Client, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    payload = updates.private_text("my card number is 4111 1111 1111 1111")
    del payload["message"]["chat"]
    with caplog.at_level("DEBUG"):
        response = _post(client, payload)
    assert response.status_code == 400
    assert response.json()["detail"] == "message.chat is missing or not an object"
    assert f"Refused Telegram update {payload['update_id']}" in caplog.text
    assert "4111" not in caplog.text and "Traceback" not in caplog.text
    assert redis.Redis.from_url(redis_url).xlen(keys.INBOX_STREAM) == 0


@pytest.mark.parametrize(
    "body",
    [
        json.dumps(updates.private_text("broken \ud83d text")).encode(),  # a lone surrogate
        b"[" * 20_000 + b"]" * 20_000,
    ],
)
def test_hostile_json_is_a_400_never_a_500(
    client: httpx.Client, redis_url: str, body: bytes
) -> None:
    response = client.post(
        WEBHOOK_PATH,
        content=body,
        headers={SECRET_HEADER: SECRET, "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["detail"]
    assert client.get("/healthz").status_code == 200
    assert redis.Redis.from_url(redis_url).xlen(keys.INBOX_STREAM) == 0
