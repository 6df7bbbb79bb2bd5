"""Versioned intent sets, publish and rollback, and hot reload across processes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bot import keys
from bot.brain import Brain, BrainReloader
from bot.brain_factory import train_classifier
from bot.intent_versions import IntentVersions, VersionNotFound
from bot.intents import Intent, IntentSet, load_intent_set
from switchboard.settings import Settings
from tests.conftest import CACHE_DIR, ROOT

FILES = load_intent_set(ROOT / "intents")


def _with_example(intent_set: IntentSet, intent: str, example: str) -> IntentSet:
    changed = intent_set.intents[intent]
    intents = dict(intent_set.intents)
    intents[intent] = replace(changed, examples=(*changed.examples, example))
    return replace(intent_set, intents=intents)


async def test_seed_publish_history_rollback(redis_client: Redis) -> None:
    versions = IntentVersions(redis_client)
    seeded = await versions.seed(FILES)
    assert seeded.number == 1 and seeded.intent_set == FILES
    assert (await versions.seed(FILES)).number == 1  # idempotent
    edited = _with_example(FILES, "invoice", "能开发票吗亲")
    v2 = await versions.publish(edited, "admin", note="invoice example")
    assert (await versions.live()).number == 2
    back = await versions.rollback(1, "admin")
    assert back.number == 3 and back.based_on == 1 and back.intent_set == FILES
    history = await versions.history()
    assert [(h["version"], h["live"]) for h in history] == [(3, True), (2, False), (1, False)]
    assert history[1]["author"] == "admin" and history[1]["note"] == "invoice example"
    assert v2.intent_set.intents["invoice"].examples[-1] == "能开发票吗亲"
    with pytest.raises(VersionNotFound):
        await versions.get(99)


async def test_the_version_document_round_trips_variants() -> None:
    intent = Intent("greet", ("hi",), {"en": "Hi!"}, variants={"vip": {"en": "Welcome back!"}})
    intent_set = IntentSet({"greet": intent, "thanks": Intent("thanks", ("thx",))})
    assert IntentSet.from_dict(intent_set.to_dict()) == intent_set
    assert intent.answer_for(tier="vip") == {"en": "Welcome back!"}
    assert intent.answer_for(tier="new") == {"en": "Hi!"}


async def test_a_process_reloads_a_published_version_without_restart(
    redis_client: Redis, brain: Brain
) -> None:
    settings = Settings(data_dir=CACHE_DIR)
    local = Brain(classifier=brain.classifier)
    reloader = BrainReloader(
        redis_client,
        local,
        lambda s: train_classifier(brain.classifier.encoder, s, settings),
        check_every_seconds=0.2,
    )
    versions = IntentVersions(redis_client)
    await versions.seed(FILES)
    stop = asyncio.Event()
    task = asyncio.create_task(reloader.run(stop))
    try:
        for _ in range(50):
            if local.version == 1:
                break
            await asyncio.sleep(0.05)
        assert local.version == 1 and local.classifier is brain.classifier  # no retraining
        smaller = replace(FILES, intents={k: v for k, v in FILES.intents.items() if k != "invoice"})
        await versions.publish(smaller, "admin")
        for _ in range(200):
            if local.version == 2:
                break
            await asyncio.sleep(0.05)
        assert local.version == 2
        assert "invoice" not in local.intent_set.intents
    finally:
        stop.set()
        await task


def test_two_worker_processes_follow_a_publish(redis_url: str, tmp_path: Path) -> None:
    """Real `switchboard worker` processes: both move to a newly published version."""
    import redis as sync_redis

    client = sync_redis.Redis.from_url(redis_url, decode_responses=True)
    client.flushdb()
    env = {
        **os.environ,
        "SWITCHBOARD_REDIS__URL": redis_url,
        "SWITCHBOARD_DATA_DIR": str(CACHE_DIR),
        "HF_HUB_OFFLINE": "1",
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "switchboard.cli", "--log-level", "INFO", "worker"],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 120
        while client.get(keys.INTENTS_LIVE) is None and time.monotonic() < deadline:
            time.sleep(0.2)
        asyncio.run(_publish_smaller(redis_url))
        logs = ["", ""]
        for index, worker in enumerate(workers):
            while "answering with intent-set version 2" not in logs[index] and (
                time.monotonic() < deadline
            ):
                logs[index] += worker.stderr.readline()
        assert all("Now answering with intent-set version 2" in log for log in logs), logs
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            assert worker.wait(30) == 0


async def _publish_smaller(redis_url: str) -> None:
    redis = Redis.from_url(redis_url, decode_responses=True)
    smaller = replace(FILES, intents={k: v for k, v in FILES.intents.items() if k != "invoice"})
    await IntentVersions(redis).publish(smaller, "admin")
    await redis.aclose()
