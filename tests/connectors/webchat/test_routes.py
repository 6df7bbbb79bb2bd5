"""The web chat end to end: HTTP in, real Redis, real worker and classifier, HTTP out."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
import redis

from bot import keys
from bot.brain import Brain
from connectors.webchat.routes import conversation_key
from switchboard.settings import Settings
from tests.factories import inbound
from tests.live_server import live_server, wait_for_replies


@pytest.fixture
def client(settings: Settings, brain: Brain, redis_url: str) -> Iterator[httpx.Client]:
    redis.Redis.from_url(redis_url).flushdb()
    with live_server(settings, brain) as base, httpx.Client(base_url=base, timeout=10) as http:
        yield http


@pytest.mark.parametrize(
    ("text", "expected_language", "marker"),
    [("退货政策是什么?", "zh", "7天"), ("what is your return policy?", "en", "7 days")],
)
def test_a_customer_gets_the_return_policy_in_their_language(
    client: httpx.Client, text: str, expected_language: str, marker: str
) -> None:
    conversation = f"conv-{expected_language}-return"
    response = client.post(
        "/webchat/messages", json={"conversation_id": conversation, "text": text}
    )
    assert response.status_code == 202
    assert response.json()["duplicate"] is False
    [reply] = wait_for_replies(client, conversation, 1)
    assert reply["intent"] == "return_policy"
    assert marker in reply["text"]
    messages = client.get(f"/webchat/conversations/{conversation}/messages").json()["messages"]
    assert [m["role"] for m in messages] == ["customer", "bot"]
    assert messages[0]["text"] == text


def test_gibberish_gets_a_fallback_not_a_wrong_answer(client: httpx.Client) -> None:
    client.post(
        "/webchat/messages", json={"conversation_id": "conv-gibberish", "text": "asdf qwer"}
    )
    [reply] = wait_for_replies(client, "conv-gibberish", 1)
    assert reply["intent"] == ""
    assert "rephrase" in reply["text"]


def test_the_same_message_posted_three_times_gets_one_reply(
    client: httpx.Client, redis_url: str
) -> None:
    body = {"conversation_id": "conv-retry", "text": "hello", "message_id": "client-msg-1"}
    results = [client.post("/webchat/messages", json=body).json() for _ in range(3)]
    assert [r["duplicate"] for r in results] == [False, True, True]
    assert {r["message_id"] for r in results} == {"client-msg-1"}
    client.post("/webchat/messages", json={"conversation_id": "conv-retry", "text": "thanks!"})
    replies = wait_for_replies(client, "conv-retry", 2)
    assert [r["intent"] for r in replies] == ["greet", "thanks"]
    customer = [
        m
        for m in client.get("/webchat/conversations/conv-retry/messages").json()["messages"]
        if m["role"] == "customer"
    ]
    assert len(customer) == 2


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        ({"conversation_id": "conv-bad-input", "text": "   "}, 422, "text is empty"),
        ({"conversation_id": "conv-bad-input", "text": ""}, 422, "at least 1 character"),
        ({"conversation_id": "conv-bad-input", "text": "x" * 2001}, 422, "limit is 2000"),
        ({"conversation_id": "no", "text": "hi"}, 422, "should match pattern"),
        ({"conversation_id": "conv/../../etc", "text": "hi"}, 422, "should match pattern"),
        ({"text": "hi"}, 422, "conversation_id"),
        ({"conversation_id": "conv-bad-input", "text": 42}, 422, "valid string"),
        (
            {"conversation_id": "conv-bad-input", "text": "hi", "message_id": "a b"},
            422,
            "should match pattern",
        ),
    ],
)
def test_bad_input_is_refused_with_a_reason_and_stores_nothing(
    client: httpx.Client, redis_url: str, body: dict, status: int, reason: str
) -> None:
    response = client.post("/webchat/messages", json=body)
    assert response.status_code == status
    assert reason in response.text
    assert redis.Redis.from_url(redis_url).exists(keys.INBOX_STREAM) in (0, 1)
    assert redis.Redis.from_url(redis_url).xlen(keys.INBOX_STREAM) == 0
    assert not redis.Redis.from_url(redis_url).keys("sb:conv:*")


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        # pydantic refuses lone surrogates itself; the 500 came from echoing them back.
        ("text", "hello \ud83d world", "unable to parse raw data as a unicode string"),
        ("text", "\udfff", "unable to parse raw data as a unicode string"),
        ("display_name", "Li \ud800", "unable to parse raw data as a unicode string"),
        ("text", "null\u0000byte", "not valid Unicode text: a control character at position 4"),
        ("display_name", "\u001b[31mred", "not valid Unicode text: a control character"),
    ],
)
def test_invalid_text_is_a_422_with_a_reason_and_stores_nothing(
    client: httpx.Client, redis_url: str, field: str, value: str, reason: str
) -> None:
    body = {"conversation_id": "conv-bad-text", "text": "hi", field: value}
    # json.dumps escapes the surrogate as \ud83d: what a hostile client sends on the wire.
    response = client.post(
        "/webchat/messages", content=json.dumps(body), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", field]
    assert reason in error["msg"]
    assert redis.Redis.from_url(redis_url).xlen(keys.INBOX_STREAM) == 0


def test_emoji_and_newlines_are_valid_text(client: httpx.Client) -> None:
    body = {"conversation_id": "conv-emoji", "text": "hi 😀\nline two\ttab"}
    assert client.post("/webchat/messages", json=body).status_code == 202


def test_message_ids_are_deduplicated_per_conversation(client: httpx.Client) -> None:
    first, second = "conv-dedupe-a", "conv-dedupe-b"
    results = [
        client.post(
            "/webchat/messages",
            json={"conversation_id": conversation, "text": "hello", "message_id": "m1"},
        )
        for conversation in (first, second, first, second)
    ]
    assert [r.status_code for r in results] == [202] * 4
    assert [r.json()["duplicate"] for r in results] == [False, False, True, True]
    assert {r.json()["message_id"] for r in results} == {"m1"}
    # Each conversation gets its own answer (replies are keyed on the message too).
    for conversation in (first, second):
        [reply] = wait_for_replies(client, conversation, 1)
        assert reply["intent"] == "greet"
        messages = client.get(f"/webchat/conversations/{conversation}/messages").json()
        assert [m["id"] for m in messages["messages"] if m["role"] == "customer"] == ["m1"]


def test_malformed_json_is_a_4xx_with_a_reason(client: httpx.Client) -> None:
    response = client.post(
        "/webchat/messages", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert "JSON" in response.text


def test_an_oversized_body_is_refused_before_parsing(client: httpx.Client) -> None:
    response = client.post(
        "/webchat/messages",
        content=b"x" * (300 * 1024),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413


def test_unknown_conversation_is_404(client: httpx.Client) -> None:
    response = client.get("/webchat/conversations/conv-never-seen/messages")
    assert response.status_code == 404
    assert response.json()["detail"] == "no such conversation"


def test_health_and_page_and_openapi(client: httpx.Client) -> None:
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "redis": True, "worker": True}
    page = client.get("/webchat")
    assert page.status_code == 200
    assert "/webchat/messages" in page.text
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/healthz",
        "/webchat/messages",
        "/webchat/conversations/{conversation_id}/messages",
    } <= set(paths)


def test_conversation_key_matches_the_inbound_message() -> None:
    assert conversation_key("conv-1234") == inbound(conversation="conv-1234").conversation_key


def test_the_conversation_says_when_a_person_answers(client: httpx.Client) -> None:
    client.post(
        "/webchat/messages",
        json={"conversation_id": "conv-handover", "text": "what is your return policy?"},
    )
    wait_for_replies(client, "conv-handover", 1)
    page = client.get("/webchat/conversations/conv-handover/messages").json()
    assert page["handled_by"] == "bot"
    client.post(
        "/webchat/messages",
        json={"conversation_id": "conv-handover", "text": "I want to talk to a person"},
    )
    wait_for_replies(client, "conv-handover", 2)
    page = client.get("/webchat/conversations/conv-handover/messages").json()
    assert page["handled_by"] == "person"
