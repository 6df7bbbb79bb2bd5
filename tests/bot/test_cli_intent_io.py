"""``switchboard intents export`` / ``import`` against a real Redis."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bot.cli import main
from bot.intent_versions import IntentVersions
from bot.intents import load_intent_set
from tests.conftest import CACHE_DIR, ROOT


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, redis_url: str) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(CACHE_DIR))
    monkeypatch.setenv("SWITCHBOARD_REDIS__URL", redis_url)


def _live(redis_url: str) -> int | None:
    async def read() -> int | None:
        async with Redis.from_url(redis_url, decode_responses=True) as redis:
            live = await IntentVersions(redis).live()
            return live.number if live else None

    return asyncio.run(read())


def test_export_writes_rasa_yaml_that_loads_back(tmp_path: Path, redis_url: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    assert main(["intents", "export", "--out", str(tmp_path / "out")]) == 0
    assert "intent files" in capsys.readouterr().out  # nothing published yet
    assert load_intent_set(tmp_path / "out") == load_intent_set(ROOT / "intents")


def test_import_csv_then_publish(tmp_path: Path, redis_url: str, brain: object,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    csv_file = tmp_path / "new.csv"
    csv_file.write_text("text,intent\n能打个小票吗,invoice\n", encoding="utf-8")
    assert main(["intents", "import", str(csv_file)]) == 0
    assert "Draft updated: 1 examples" in capsys.readouterr().out
    assert _live(redis_url) == 1  # imported into the draft only
    assert main(["intents", "import", str(csv_file), "--publish", "--confirm"]) == 0
    assert "Published version 2" in capsys.readouterr().out
    assert _live(redis_url) == 2
    assert main(["intents", "export", "--out", str(tmp_path / "v2")]) == 0
    assert "能打个小票吗" in load_intent_set(tmp_path / "v2").intents["invoice"].examples
    assert main(["intents", "import", str(tmp_path / "missing.csv")]) == 2
