"""The official account's server URL, over HTTP, against the real app and Redis.

No worker runs here: that is the "classifier is busy" case. Every push must still be answered
with ``success`` at once and be waiting in the inbox.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest
import redis

from bot import keys
from connectors.wechat.verify import signature
from switchboard.settings import Settings
from tests.connectors.wechat.conftest import wechat_section
from tests.connectors.wechat.pushes import (
    OLD_AES_KEY,
    TOKEN,
    Delivery,
    encrypted_push,
    fixture,
    plaintext_push,
)
from tests.connectors.wechat.test_safexml import BOMB, EXTERNAL
from tests.live_server import live_server

USER = "oia2TjjewbmiOUlr6X-1crbLOvLw"


@pytest.fixture(scope="module")
def servers(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """One app per security mode for the whole module (each test starts on a flushed Redis)."""
    with ExitStack() as stack:
        clients = {}
        for mode in ("plaintext", "compatible", "safe"):
            settings = Settings(
                data_dir=tmp_path_factory.mktemp("data"),
                redis={"url": redis_url},
                run_worker_in_api=False,
                wechat=wechat_section(
                    "http://127.0.0.1:9/cgi-bin/", security_mode=mode, comment_articles=[]
                ),
            )
            base = stack.enter_context(live_server(settings))
            clients[mode] = stack.enter_context(httpx.Client(base_url=base, timeout=10))
        yield clients


@pytest.fixture
def client(servers: dict, store: redis.Redis) -> httpx.Client:
    return servers["compatible"]


@pytest.fixture
def safe_client(servers: dict, store: redis.Redis) -> httpx.Client:
    return servers["safe"]


@pytest.fixture
def plain_client(servers: dict, store: redis.Redis) -> httpx.Client:
    return servers["plaintext"]


@pytest.fixture
def store(redis_url: str) -> redis.Redis:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    client.flushdb()
    return client


def _post(http: httpx.Client, delivery: Delivery) -> httpx.Response:
    return http.post(
        "/wechat/callback",
        params=delivery.params,
        content=delivery.body,
        headers={"Content-Type": "text/xml"},
    )


def _queued(store: redis.Redis) -> list[dict]:
    return [json.loads(fields["msg"]) for _, fields in store.xrange(keys.INBOX_STREAM)]


def _nothing_stored(store: redis.Redis) -> bool:
    return not _queued(store) and not store.keys("sb:conv:*") and not store.keys("sb:seen:*")


def test_server_url_check_echoes_echostr(client: httpx.Client) -> None:
    params = {"timestamp": "1411443780", "nonce": "437374425", "echostr": "5927782489442352469"}
    params["signature"] = signature(TOKEN, params["timestamp"], params["nonce"])
    response = client.get("/wechat/callback", params=params)
    assert (response.status_code, response.text) == (200, "5927782489442352469")
    params["signature"] = "0" * 40
    assert client.get("/wechat/callback", params=params).status_code == 403


def test_plaintext_push_is_acked_and_queued(plain_client: httpx.Client, store: redis.Redis) -> None:
    response = _post(plain_client, plaintext_push(fixture("text")))
    assert (response.status_code, response.text) == (200, "success")
    [message] = _queued(store)
    assert (message["text"], message["platform"], message["platform_message_id"]) == (
        "退货政策是什么?",
        "wechat",
        "1234567890123456",
    )


@pytest.mark.parametrize("mode", ["safe", "compatible"])
def test_encrypted_push_is_decrypted_acked_and_queued(
    client: httpx.Client, store: redis.Redis, mode: str
) -> None:
    response = _post(client, encrypted_push(fixture("text", Content="发货要多久?"), mode=mode))
    assert (response.status_code, response.text) == (200, "success")
    assert [m["text"] for m in _queued(store)] == ["发货要多久?"]


def test_a_push_under_the_previous_aes_key_still_works(
    safe_client: httpx.Client, store: redis.Redis
) -> None:
    response = _post(safe_client, encrypted_push(fixture("text"), aes_key=OLD_AES_KEY))
    assert response.text == "success"
    assert len(_queued(store)) == 1


def test_safe_mode_refuses_plaintext(safe_client: httpx.Client, store: redis.Redis) -> None:
    response = _post(safe_client, plaintext_push(fixture("text")))
    assert response.status_code == 400
    assert "safe mode" in response.text
    assert _nothing_stored(store)


@pytest.mark.parametrize("forge", ["signature", "msg_signature", "token"])
def test_forged_signature_is_403_and_nothing_is_queued(
    client: httpx.Client, store: redis.Redis, forge: str
) -> None:
    if forge == "token":
        delivery = encrypted_push(fixture("text"), token="not-our-token")
    else:
        delivery = encrypted_push(fixture("text"))
        delivery.params[forge] = "f" * 40
    assert _post(client, delivery).status_code == 403
    assert _nothing_stored(store)


def test_forged_plaintext_push_is_403(plain_client: httpx.Client, store: redis.Redis) -> None:
    delivery = plaintext_push(fixture("text"), token="not-our-token")
    assert _post(plain_client, delivery).status_code == 403
    assert _nothing_stored(store)


@pytest.mark.parametrize(
    "body", ["<xml><MsgType>text</MsgType>", "not xml at all", "<xml><MsgType>text</MsgType></xml>"]
)
def test_malformed_xml_is_400_with_a_reason(
    plain_client: httpx.Client, store: redis.Redis, body: str
) -> None:
    response = _post(plain_client, Delivery(plaintext_push(fixture("text")).params, body.encode()))
    assert response.status_code == 400
    assert response.json()["detail"]
    assert _nothing_stored(store)


@pytest.mark.parametrize("evil", [BOMB, EXTERNAL])
def test_xml_bombs_and_external_entities_are_refused(
    plain_client: httpx.Client, store: redis.Redis, evil: str
) -> None:
    good = plaintext_push(fixture("text"))
    response = _post(plain_client, Delivery(good.params, evil.encode()))
    assert response.status_code == 400
    assert "refused XML" in response.text
    assert _nothing_stored(store)


def test_an_xml_bomb_inside_the_encrypted_payload_is_refused(
    client: httpx.Client, store: redis.Redis
) -> None:
    response = _post(client, encrypted_push(BOMB, mode="safe"))
    assert response.status_code == 400
    assert _nothing_stored(store)


def test_wechat_retries_are_queued_once(client: httpx.Client, store: redis.Redis) -> None:
    # WeChat redelivers 5 s apart; dedupe keys on MsgId, not on timing, so the three
    # deliveries are sent back to back here instead of sleeping 10 s.
    delivery = encrypted_push(fixture("text"))
    assert [_post(client, delivery).text for _ in range(3)] == ["success"] * 3
    event = encrypted_push(fixture("subscribe"))
    assert [_post(client, event).text for _ in range(3)] == ["success"] * 3
    assert [m["platform_message_id"] for m in _queued(store)] == [
        "1234567890123456",
        f"{USER}:1348831860:subscribe",
    ]


def test_the_ack_does_not_wait_for_the_pipeline(client: httpx.Client, store: redis.Redis) -> None:
    # No worker runs in this app: the classifier is "busy" for good. The ack still comes back
    # (well inside WeChat's 5 s; the client gives up after 5 s), and the message waits in the
    # inbox for a worker.
    delivery = encrypted_push(fixture("text", MsgId=99))
    response = client.post(
        "/wechat/callback", params=delivery.params, content=delivery.body, timeout=5
    )
    assert response.text == "success"
    assert [m["platform_message_id"] for m in _queued(store)] == ["99"]


@pytest.mark.parametrize("name", ["unknown", "view"])
def test_unknown_types_and_other_events_are_acked_not_queued(
    client: httpx.Client, store: redis.Redis, name: str
) -> None:
    assert _post(client, encrypted_push(fixture(name))).text == "success"
    assert _queued(store) == []


def test_messages_open_the_window_and_unsubscribe_closes_it(
    client: httpx.Client, store: redis.Redis
) -> None:
    delivery = encrypted_push(fixture("text"))
    _post(client, delivery)
    assert store.hget(keys.wechat_window("wechat", USER), "message:left") == "5"
    store.hincrby(keys.wechat_window("wechat", USER), "message:left", -1)  # one reply sent
    _post(client, delivery)  # a retry, or a replay, grants no fresh budget
    assert store.hget(keys.wechat_window("wechat", USER), "message:left") == "4"
    _post(client, encrypted_push(fixture("unsubscribe")))
    assert (
        json.loads(store.get(keys.wechat_unreachable("wechat", USER)))["reason"] == "unsubscribed"
    )
    assert len(_queued(store)) == 1


@pytest.mark.parametrize(
    ("age", "reason"),
    [
        (400 * 86400, "old"),  # a push captured long ago: its MsgId dedupe marker has expired
        (-10 * 86400, "ahead"),  # signed with a clock far in the future
        (301, "old"),
        (-301, "ahead"),
    ],
)
@pytest.mark.parametrize("mode", ["plaintext", "safe"])
def test_a_push_outside_the_freshness_window_is_refused_and_nothing_stored(
    servers: dict, store: redis.Redis, age: int, reason: str, mode: str
) -> None:
    at = time.time() - age
    xml = fixture("text")
    delivery = plaintext_push(xml, at=at) if mode == "plaintext" else encrypted_push(xml, at=at)
    response = _post(servers[mode], delivery)
    assert response.status_code == 403
    assert reason in response.json()["detail"]
    assert "300 s" in response.json()["detail"]
    assert _nothing_stored(store)


def test_a_push_a_few_seconds_off_our_clock_is_taken(
    client: httpx.Client, store: redis.Redis
) -> None:
    # WeChat retries within ~15 s, and clocks drift a little either way.
    for offset in (-20, 20):
        delivery = encrypted_push(
            fixture("text", MsgId=1234567890123456 + offset), at=time.time() + offset
        )
        assert _post(client, delivery).text == "success"
    assert len(_queued(store)) == 2


def test_a_push_without_a_timestamp_is_refused(
    plain_client: httpx.Client, store: redis.Redis
) -> None:
    delivery = plaintext_push(fixture("text"))
    response = _post(plain_client, Delivery({**delivery.params, "timestamp": ""}, delivery.body))
    assert response.status_code == 403
    assert _nothing_stored(store)


def test_a_body_over_the_wechat_limit_is_413_even_without_a_length(
    plain_client: httpx.Client, store: redis.Redis
) -> None:
    delivery = plaintext_push(fixture("text"))

    def chunks() -> Iterator[bytes]:  # a generator: sent chunked, no Content-Length
        yield delivery.body
        for _ in range(20):
            yield b"<!-- padding -->" * 512

    response = plain_client.post(
        "/wechat/callback",
        params=delivery.params,
        content=chunks(),
        headers={"Content-Type": "text/xml"},
    )
    assert response.status_code == 413
    assert "64 KiB" in response.json()["detail"]
    assert _nothing_stored(store)


def test_a_retry_after_a_failure_half_way_still_opens_the_window(
    client: httpx.Client, store: redis.Redis
) -> None:
    """Redis went away between the grant and queueing (or lost the grant): WeChat retries."""
    delivery = encrypted_push(fixture("text"))
    _post(client, delivery)
    store.delete(keys.wechat_window("wechat", USER))  # as if the grant had never landed
    store.delete(keys.wechat_window_granted("wechat:1234567890123456"))  # the fixture's MsgId
    _post(client, delivery)
    assert store.hget(keys.wechat_window("wechat", USER), "message:left") == "5"
    assert len(_queued(store)) == 1
