"""Clients built from a Sentinel URL follow the master through real failovers: a master killed
with SIGKILL, and a failover asked of the sentinels (planned maintenance)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from bot.redis_conn import build_sync_client, connect
from tests.sentinel_group import MASTER_NAME, SentinelGroup, binaries, running_group

pytestmark = pytest.mark.skipif(
    binaries() is None, reason="redis-server is not installed (scripts/dev.sh installs it)"
)

# Sentinels here call a master down after 1 s; the rest is the election and the promotion.
FAILOVER_BOUND_SECONDS = 30


@pytest.fixture
def group(tmp_path: Path) -> Iterator[SentinelGroup]:
    with running_group(tmp_path) as running:
        yield running


async def test_clients_keep_working_after_the_master_is_killed(group: SentinelGroup) -> None:
    client = await connect(group.url)
    sync = build_sync_client(group.url)
    try:
        await client.set("before", "kept")
        # Acknowledged by the replica: this write must survive the failover.
        assert await client.execute_command("WAIT", 1, 5000) == 1
        assert sync.get("before") == "kept"

        killed = group.kill_master()
        began = time.monotonic()
        # The first command after the kill is held by the retries until a master is named.
        assert await client.incr("after") == 1
        elapsed = time.monotonic() - began
        assert elapsed < FAILOVER_BOUND_SECONDS

        promoted = group.master_port()
        assert promoted == group.ports["replica"] != killed
        assert await client.get("before") == "kept"
        assert sync.incr("after") == 2  # the sync client (wechatpy's storage) too
        with group.node(promoted) as node:
            assert node.info("replication")["role"] == "master"
            assert node.get("after") == "2"
    finally:
        await client.aclose()
        sync.close()


async def test_a_failover_the_sentinels_are_asked_for_moves_writes_at_once(
    group: SentinelGroup,
) -> None:
    """The old master stays up until the sentinels demote it, ten seconds on, and takes writes
    meanwhile that the new master never sees (Redis replicates asynchronously). The client
    leaves it when the sentinels announce the switch; every write a replica confirmed (WAIT) is
    on the new master; no error reaches the caller."""
    client = await connect(group.url)
    confirmed: list[int] = []
    written_since_switch: list[int] = []
    switched = asyncio.Event()
    old = group.master_port()

    async def keep_writing() -> None:
        for number in itertools.count():
            async with client.pipeline(transaction=False) as pipe:
                pipe.rpush("log", number)
                pipe.wait(1, 50)
                _, replicas = await pipe.execute()
            if switched.is_set():
                written_since_switch.append(number)
            elif replicas >= 1:
                confirmed.append(number)
            await asyncio.sleep(0.005)

    writer = asyncio.create_task(keep_writing())
    try:
        await asyncio.sleep(0.2)
        with group.sentinel(group.sentinel_ports[0]) as sentinel:
            assert sentinel.execute_command("SENTINEL FAILOVER", MASTER_NAME)
        new = await asyncio.to_thread(group.wait_for_new_master, old)
        switched.set()
        began = time.monotonic()
        with group.node(new) as node:
            # Until a number written after the switch is on the new master.
            while not written_since_switch or _newest(node) < written_since_switch[0]:
                assert time.monotonic() - began < 5, "writes still go to the old master"
                await asyncio.sleep(0.02)
            kept = {int(number) for number in node.lrange("log", 0, -1)}
        assert not writer.done()  # no error reached the writer
        assert new == group.ports["replica"] != old
        assert len(confirmed) > 10
        assert set(confirmed) <= kept
    finally:
        writer.cancel()
        await asyncio.gather(writer, return_exceptions=True)
        await client.aclose()


def _newest(node: redis.Redis) -> int:
    last = node.lrange("log", -1, -1)
    return int(last[0]) if last else -1
