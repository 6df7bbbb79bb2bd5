"""Shared fixtures: a real Redis server per test session, settings, and the trained brain."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis
import redis.asyncio as aioredis

from bot.brain import Brain
from switchboard.settings import Settings
from tests.live_server import free_port

ROOT = Path(__file__).resolve().parent.parent
# Models and example embeddings are cached across test sessions (the built-in model takes a
# while to build the first time); everything else a test writes goes to tmp_path.
CACHE_DIR = Path(os.environ.get("SWITCHBOARD_TEST_CACHE", ROOT / ".switchboard" / "test-cache"))
# The suite's expectations were set on the int8 encoder: it runs on it whatever this CPU would
# pick with `backend: auto` (tests/bot/understanding/test_backend_choice.py covers the choice).
os.environ.setdefault("SWITCHBOARD_UNDERSTANDING__BACKEND", "onnx-int8")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """REDIS_URL when given, else a private redis-server on a free port for this session."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.exit(
            "redis-server is not installed (apt-get install redis-server) and REDIS_URL is not set",
            returncode=3,
        )
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.exit("the test redis-server did not start", returncode=3)
            time.sleep(0.05)
    client.close()
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(10)


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    """A client on a freshly flushed database."""
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    await client.flushdb()
    yield client
    await client.aclose()


@pytest.fixture
def settings(redis_url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        redis={"url": redis_url},
        inbox={"block_ms": 100, "reclaim_idle_ms": 500},
        understanding={"intents_dir": ROOT / "intents"},
    )


@pytest.fixture(scope="session")
def brain() -> Brain:
    """The default intent set, trained on the built-in multilingual model (built once)."""
    from bot.brain_factory import build_brain

    return build_brain(
        Settings(data_dir=CACHE_DIR, understanding={"intents_dir": ROOT / "intents"})
    )
