"""With a Sentinel URL, an accepted message is on a replica before the accept returns; a replica
that does not confirm makes the accept fail (the platform sends again); a master left without
any replica up accepts at once."""

from __future__ import annotations

import signal
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bot import keys
from bot.inbox import Inbox
from bot.redis_conn import connect
from bot.replication import NotReplicated
from bot.settings import InboxSettings
from tests.factories import inbound
from tests.sentinel_group import SentinelGroup, binaries, running_group

pytestmark = pytest.mark.skipif(
    binaries() is None, reason="redis-server is not installed (scripts/dev.sh installs it)"
)

TIMEOUT_MS = 200


@pytest.fixture
def group(tmp_path: Path) -> Iterator[SentinelGroup]:
    with running_group(tmp_path) as running:
        yield running


@pytest.fixture
async def client(group: SentinelGroup) -> AsyncIterator[Redis]:
    redis = await connect(group.url)
    yield redis
    await redis.aclose()


@pytest.fixture
def patient_group(tmp_path: Path) -> Iterator[SentinelGroup]:
    """Sentinels that take 5 s to give up on a node: a replica frozen for less still counts."""
    with running_group(tmp_path, down_after_ms=5000) as running:
        yield running


@pytest.fixture
async def patient_client(patient_group: SentinelGroup) -> AsyncIterator[Redis]:
    redis = await connect(patient_group.url)
    yield redis
    await redis.aclose()


def _inbox(client: Redis) -> Inbox:
    return Inbox(client, InboxSettings(replica_ack_timeout_ms=TIMEOUT_MS), "api-test")


async def test_an_accepted_message_is_on_the_replica_when_accept_returns(
    group: SentinelGroup, client: Redis
) -> None:
    inbox = _inbox(client)
    await inbox.ensure_group()
    for number in range(20):
        await inbox.accept(inbound(f"message {number}", conversation="conv-acks"))
        with group.node(group.ports["replica"]) as replica:
            assert replica.xlen(keys.INBOX_STREAM) == number + 1


async def test_a_replica_that_does_not_confirm_fails_the_accept_until_it_does(
    patient_group: SentinelGroup, patient_client: Redis
) -> None:
    group, client = patient_group, patient_client
    inbox = _inbox(client)
    await inbox.ensure_group()
    message = inbound("hello", conversation="conv-frozen", message_id="frozen-1")
    replica = group.ports["replica"]
    group.signal_node(replica, signal.SIGSTOP)
    try:
        began = time.monotonic()
        with pytest.raises(NotReplicated, match="0 of 1 replica"):
            await inbox.accept(message)
        assert time.monotonic() - began < 1.0  # the sentinels still count it up
    finally:
        group.signal_node(replica, signal.SIGCONT)
    # The platform sends the message again: it is the same message, queued once.
    again = await inbox.accept(message)
    assert again.duplicate
    assert await client.xlen(keys.INBOX_STREAM) == 1


async def test_a_master_left_without_replicas_accepts_at_once(
    group: SentinelGroup, client: Redis
) -> None:
    inbox = _inbox(client)
    await inbox.ensure_group()
    await inbox.accept(inbound("before", conversation="conv-alone"))
    replica = group.ports["replica"]
    group.signal_node(replica, signal.SIGKILL)
    group.wait_until_down(replica)
    accepted = [
        await inbox.accept(inbound(f"alone {n}", conversation="conv-alone")) for n in range(3)
    ]
    began = time.monotonic()
    accepted += [
        await inbox.accept(inbound(f"later {n}", conversation="conv-alone")) for n in range(20)
    ]
    assert time.monotonic() - began < 20 * TIMEOUT_MS / 1000  # no accept waits for a replica
    assert not any(a.duplicate for a in accepted)
    assert await client.xlen(keys.INBOX_STREAM) == 24
