"""Body limits counted on the wire and the JSON depth limit, against the real app under uvicorn."""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import redis

from bench.raw_http import post
from bot import keys
from bot.settings import HttpSettings
from switchboard.http_limits import JsonDepth
from switchboard.settings import Settings
from tests.connectors.telegram.conftest import SECRET, with_telegram
from tests.connectors.wechat.conftest import kf_section, wechat_section
from tests.live_server import live_server

JSON = {"Content-Type": "application/json"}
NOWHERE = "http://127.0.0.1:9"  # no platform API is called by these tests


@pytest.fixture(scope="module")
def base_url(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("data"),
        redis={"url": redis_url},
        run_worker_in_api=False,
        understanding={"intents_dir": Path(__file__).parents[2] / "intents"},
        wechat=wechat_section(f"{NOWHERE}/cgi-bin/", comment_articles=[]),
        wecom_kf=kf_section(f"{NOWHERE}/cgi-bin/"),
    )
    settings = with_telegram(
        settings, mode="webhook", secret_token=SECRET, api_base_url=f"{NOWHERE}/bot"
    )
    with live_server(settings) as base:
        yield base


@pytest.fixture
def store(redis_url: str) -> redis.Redis:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    client.flushdb()
    return client


def _healthy(base_url: str) -> bool:
    return httpx.get(f"{base_url}/healthz", timeout=10).status_code == 200


def test_a_chunked_body_past_the_limit_is_413_at_once_and_the_server_stays_up(
    base_url: str, store: redis.Redis
) -> None:
    total = 64 * 1024 * 1024
    response = post(base_url, "/webchat/messages", chunked_total=total, headers=JSON)
    assert response.status == 413
    assert json.loads(response.body) == {"detail": "request body over 256 KiB"}
    assert response.headers.get("connection") == "close"
    # Refused while streaming: what was sent is the limit plus what socket buffers held.
    assert response.sent < total // 4
    assert _healthy(base_url)
    assert not store.exists(keys.INBOX_STREAM)


def _fresh() -> str:
    return f"timestamp={int(time.time())}"


# Each route as its platform calls it, so that it gets as far as reading the body.
@pytest.mark.parametrize(
    ("path", "headers", "size", "limit"),
    [
        # "{fresh}": a timestamp of the moment the test runs, not of collection (the suite
        # can take longer than the platforms' 300 s replay window).
        ("/wechat/callback?{fresh}", {}, 65 * 1024, "64 KiB"),
        ("/wecom-kf/callback?{fresh}", {}, 65 * 1024, "64 KiB"),
        ("/webchat/messages", JSON, 257 * 1024, "256 KiB"),
        (
            "/telegram/webhook",
            {**JSON, "X-Telegram-Bot-Api-Secret-Token": SECRET},
            1025 * 1024,
            "1 MiB",
        ),
    ],
)
@pytest.mark.parametrize("chunked", [True, False])
def test_each_route_has_its_limit_chunked_or_not(
    base_url: str, path: str, headers: dict[str, str], size: int, limit: str, chunked: bool
) -> None:
    path = path.replace("{fresh}", _fresh())
    if chunked:
        response = post(base_url, path, chunked_total=size, headers=headers)
    else:
        response = post(base_url, path, body=b"x" * size, headers=headers)
    assert response.status == 413
    assert limit in json.loads(response.body)["detail"]
    assert _healthy(base_url)


def test_a_route_without_a_limit_of_its_own_has_the_default(base_url: str) -> None:
    response = post(base_url, "/api/intents/evaluate", body=b"x" * (257 * 1024), headers=JSON)
    assert response.status == 413
    assert "256 KiB" in json.loads(response.body)["detail"]


def test_a_chunked_body_nobody_reads_costs_nothing_and_is_answered(base_url: str) -> None:
    # No route reads it (404, or 401 before the body), so it is never buffered; the server
    # answers at once and drops the rest.
    assert post(base_url, "/nowhere", chunked_total=64 * 1024 * 1024).status == 404
    assert _healthy(base_url)


def test_a_body_just_under_the_limit_is_read_and_judged_on_its_content(base_url: str) -> None:
    response = post(base_url, "/webchat/messages", chunked_total=255 * 1024, headers=JSON)
    assert response.status == 422  # 255 KiB of "x" is not JSON, but it was not too large
    assert "JSON decode error" in response.body.decode()
    assert len(response.body) < 1024  # and the 255 KiB were not echoed


def test_limits_come_from_the_settings(redis_url: str, tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        redis={"url": redis_url},
        run_worker_in_api=False,
        http=HttpSettings(max_body_bytes=2048, body_limits={"/webchat": 1024}),
    )
    with live_server(settings) as base:
        refused = post(base, "/webchat/messages", chunked_total=1500, headers=JSON)
        assert (refused.status, json.loads(refused.body)) == (
            413,
            {"detail": "request body over 1 KiB"},
        )
        elsewhere = post(base, "/api/intents/evaluate", body=b"x" * 3000, headers=JSON)
        assert b"2 KiB" in elsewhere.body


@pytest.mark.parametrize("chunked", [True, False])
def test_deep_json_is_400_before_any_parser_sees_it(base_url: str, chunked: bool) -> None:
    deep = b"[" * 20_000 + b"]" * 20_000
    if chunked:  # the brackets dribble in, a few per chunk
        response = post(
            base_url,
            "/webchat/messages",
            headers=JSON,
            chunks=(deep[i : i + 7] for i in range(0, len(deep), 7)),
        )
    else:
        response = post(base_url, "/webchat/messages", body=deep, headers=JSON)
    assert response.status == 400
    assert json.loads(response.body) == {"detail": "JSON nested deeper than 64 levels"}
    assert _healthy(base_url)


def test_json_within_the_depth_limit_and_brackets_in_strings_pass(
    base_url: str, store: redis.Redis
) -> None:
    nested = post(base_url, "/webchat/messages", body=b"[" * 64 + b"]" * 64, headers=JSON)
    assert nested.status == 422  # the right depth, the wrong shape
    body = json.dumps({"conversation_id": "conv-brackets", "text": "[{" * 500 + '\\"['})
    accepted = post(base_url, "/webchat/messages", body=body.encode(), headers=JSON)
    assert accepted.status == 202
    assert store.xlen(keys.INBOX_STREAM) == 1


def test_a_lone_surrogate_in_a_field_is_a_422_that_quotes_it_safely(base_url: str) -> None:
    body = b'{"conversation_id": "conv-\\ud83d-bad", "text": "hi"}'
    response = post(base_url, "/webchat/messages", body=body, headers=JSON)
    assert response.status == 422
    [error] = json.loads(response.body)["detail"]
    assert error["loc"] == ["body", "conversation_id"]
    assert error["input"] == "conv-\\ud83d-bad"
    assert _healthy(base_url)


def test_a_huge_invalid_value_is_quoted_only_as_an_excerpt(base_url: str) -> None:
    body = json.dumps({"conversation_id": "secret-" * 20_000, "text": "hi"}).encode()
    response = post(base_url, "/webchat/messages", body=body, headers=JSON)
    assert response.status == 422
    assert len(response.body) < 1024
    [error] = json.loads(response.body)["detail"]
    assert error["input"].startswith("secret-secret-") and len(error["input"]) <= 41


@pytest.mark.parametrize(
    ("chunks", "deepest"),
    [
        ([b'{"a": [[1], {"b": []}]}'], 4),
        ([b'{"a": "[[[[[[", "b": "\\"[[[["}'], 1),  # brackets and escaped quotes inside strings
        ([b'{"a": "x\\', b'"[[[", "b": [', b"[]]}"], 3),  # an escape split across chunks
        ([b'{"a": "\\\\', b'", "b": [[]]}'], 3),  # an escaped backslash, then the string ends
    ],
)
def test_json_depth_is_tracked_across_chunks_and_strings(chunks: list[bytes], deepest: int) -> None:
    assert JsonDepth(deepest).feed(b"".join(chunks))
    assert not JsonDepth(deepest - 1).feed(b"".join(chunks))
    split, too_shallow = JsonDepth(deepest), JsonDepth(deepest - 1)
    assert all([split.feed(chunk) for chunk in chunks])
    assert not all([too_shallow.feed(chunk) for chunk in chunks])


def _exchange(base_url: str, requests: list[bytes], timeout: float = 10) -> list[bytes]:
    """Send ``requests`` one after another on one connection; each answer's head and body."""
    url = urlsplit(base_url)
    answers = []
    with socket.create_connection((url.hostname, url.port), timeout=timeout) as sock:
        reader = sock.makefile("rb")
        for request in requests:
            sock.sendall(request)
            head = b""
            while not head.endswith(b"\r\n\r\n"):
                line = reader.readline()
                assert line, f"the connection closed; answers so far: {answers}"
                head += line
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
            answers.append(head + reader.read(length))
    return answers


def _message_request(text: str, *, chunk: int = 0) -> bytes:
    body = json.dumps({"conversation_id": "conv-keepalive", "text": text}).encode()
    head = b"POST /webchat/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    if not chunk:
        return head + b"Content-Length: %d\r\n\r\n" % len(body) + body
    framed = b"".join(
        b"%x\r\n%s\r\n" % (len(body[i : i + chunk]), body[i : i + chunk])
        for i in range(0, len(body), chunk)
    )
    return head + b"Transfer-Encoding: chunked\r\n\r\n" + framed + b"0\r\n\r\n"


def test_a_valid_message_dribbled_in_small_chunks_is_accepted(
    base_url: str, store: redis.Redis
) -> None:
    [answer] = _exchange(base_url, [_message_request("退货政策是什么? " * 40, chunk=5)])
    assert answer.startswith(b"HTTP/1.1 202")
    [(_, fields)] = store.xrange(keys.INBOX_STREAM)
    assert json.loads(fields["msg"])["text"] == ("退货政策是什么? " * 40).strip()


def test_accepted_requests_keep_the_connection_open(base_url: str, store: redis.Redis) -> None:
    # Only a refusal closes the connection: clients that keep it alive pay no new handshake.
    answers = _exchange(
        base_url,
        [_message_request("first"), _message_request("second", chunk=3), _message_request("3")],
    )
    assert [a[:12] for a in answers] == [b"HTTP/1.1 202"] * 3
    assert not any(b"connection: close" in a.lower() for a in answers)
    assert store.xlen(keys.INBOX_STREAM) == 3


def test_a_declared_length_over_the_limit_is_refused_before_any_body_byte(
    base_url: str, store: redis.Redis
) -> None:
    # The client sends only the head: the answer must not wait for the 64 MiB announced.
    [answer] = _exchange(
        base_url,
        [
            b"POST /webchat/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % (64 * 1024 * 1024)
        ],
    )
    assert answer.startswith(b"HTTP/1.1 413")
    assert b"connection: close" in answer.lower()
    assert answer.endswith(b'{"detail": "request body over 256 KiB"}')
    assert not store.exists(keys.INBOX_STREAM)
