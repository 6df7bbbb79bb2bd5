"""A Redis outage answers 503 + Retry-After on every route; the app recovers by itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from switchboard.settings import Settings
from tests.live_server import live_server
from tests.redis_server import RedisServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    redis_server = RedisServer(tmp_path)
    redis_server.start()
    yield redis_server
    redis_server.stop()


def _settings(url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        redis={"url": url},
        run_worker_in_api=False,
        inbox={"block_ms": 100, "reclaim_idle_ms": 500},
        understanding={"intents_dir": ROOT / "intents"},
    )


def test_outage_answers_503_then_the_same_app_recovers(server: RedisServer, tmp_path: Path) -> None:
    message = {"conversation_id": "outage-1", "text": "hello"}
    with (
        live_server(_settings(server.url, tmp_path)) as base,
        httpx.Client(base_url=base, timeout=30) as http,
    ):
        assert http.post("/webchat/messages", json=message).status_code == 202

        server.stop()
        during = http.get("/webchat/conversations/outage-1/messages")
        posted = http.post("/webchat/messages", json=message)

        server.start()
        after = http.post("/webchat/messages", json=message)

    assert during.status_code == 503, during.text
    assert int(during.headers["Retry-After"]) > 0
    assert during.json()["reason"] == "storage_unavailable"
    assert posted.status_code == 503
    assert after.status_code == 202, after.text
