"""WeCom customer service's callback over HTTP: URL check, pulls, refusals; the app's own
puller loop runs against the stand-in."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest
import redis

from bot import keys
from switchboard.settings import Settings
from tests.connectors.wechat.conftest import kf_section
from tests.connectors.wechat.pushes import Delivery, fixture, kf_callback, kf_url_check
from tests.connectors.wechat.standin import StandinState, running_standin
from tests.connectors.wechat.test_kf import kf_item
from tests.connectors.wechat.test_safexml import BOMB
from tests.live_server import live_server


@pytest.fixture(scope="module")
def served(
    redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[httpx.Client, StandinState]]:
    with running_standin() as (base_url, state):
        settings = Settings(
            data_dir=tmp_path_factory.mktemp("data"),
            redis={"url": redis_url},
            run_worker_in_api=False,
            wecom_kf=kf_section(base_url),
        )
        with live_server(settings) as base, httpx.Client(base_url=base, timeout=10) as client:
            yield client, state


@pytest.fixture
def http(served: tuple[httpx.Client, StandinState], store: redis.Redis) -> httpx.Client:
    served[1].kf_messages.clear()
    served[1].kf_sync_calls.clear()
    return served[0]


@pytest.fixture
def state(served: tuple[httpx.Client, StandinState]) -> StandinState:
    return served[1]


@pytest.fixture
def store(redis_url: str) -> redis.Redis:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    client.flushdb()
    return client


def _post(http: httpx.Client, delivery: Delivery) -> httpx.Response:
    return http.post("/wecom-kf/callback", params=delivery.params, content=delivery.body)


def _queued(store: redis.Redis) -> list[dict]:
    return [json.loads(f["msg"]) for _, f in store.xrange(keys.INBOX_STREAM)]


def test_url_check_answers_the_decrypted_echostr(http: httpx.Client) -> None:
    params = kf_url_check("1616140317555161061")
    response = http.get("/wecom-kf/callback", params=params)
    assert (response.status_code, response.text) == (200, "1616140317555161061")
    params["msg_signature"] = "0" * 40
    assert http.get("/wecom-kf/callback", params=params).status_code == 403


def test_a_callback_is_acked_and_the_messages_pulled_outside_the_request(
    http: httpx.Client, state: StandinState, store: redis.Redis
) -> None:
    state.kf_messages.append(kf_item("msg-1", "退货政策是什么?"))
    response = _post(http, kf_callback(fixture("kf_event")))
    assert (response.status_code, response.text) == (200, "success")
    deadline = time.monotonic() + 10
    while not _queued(store) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [m["text"] for m in _queued(store)] == ["退货政策是什么?"]
    assert state.kf_sync_calls[0]["token"] == "ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR"


def test_a_forged_callback_is_403_and_pulls_nothing(
    http: httpx.Client, state: StandinState, store: redis.Redis
) -> None:
    delivery = kf_callback(fixture("kf_event"), token="not-our-token")
    assert _post(http, delivery).status_code == 403
    assert store.llen(keys.wecom_kf_sync_requests()) == 0
    assert state.kf_sync_calls == []


@pytest.mark.parametrize("body", ["<xml><Encrypt>", "<xml><ToUserName>x</ToUserName></xml>"])
def test_malformed_callbacks_are_400(http: httpx.Client, body: str) -> None:
    good = kf_callback(fixture("kf_event"))
    assert _post(http, Delivery(good.params, body.encode())).status_code == 400


def test_an_xml_bomb_inside_the_encrypted_callback_is_refused(
    http: httpx.Client, state: StandinState
) -> None:
    assert _post(http, kf_callback(BOMB)).status_code == 400
    assert state.kf_sync_calls == []


@pytest.mark.parametrize("age", [400 * 86400, -10 * 86400, 301, -301])
def test_a_callback_outside_the_freshness_window_is_refused(
    http: httpx.Client, state: StandinState, store: redis.Redis, age: int
) -> None:
    response = _post(http, kf_callback(fixture("kf_event"), at=time.time() - age))
    assert response.status_code == 403
    assert "300 s" in response.json()["detail"]
    assert store.llen(keys.wecom_kf_sync_requests()) == 0
    assert state.kf_sync_calls == []
