"""The delivery loop against a real Redis: order per conversation across loops, crashes and
failures (the senders are small recording doubles of a platform, not our code)."""

from __future__ import annotations

import asyncio
import time

from redis.asyncio import Redis

from bot import keys
from bot.lanes import Lanes, current_lane
from bot.messages import OutboundReply
from bot.outbox import DeliveryLoop, PermanentSendError
from tests.factories import outbound


class _Platform:
    """Records what reached each conversation; can refuse or fail some texts."""

    platform = "webchat"

    def __init__(self, *, slow: float = 0.0) -> None:
        self.received: dict[str, list[str]] = {}
        self.refuse: set[str] = set()
        self.fail_once: set[str] = set()
        self.slow = slow

    async def send(self, reply: OutboundReply) -> None:
        if reply.text in self.refuse:
            raise PermanentSendError("refused")
        if reply.text in self.fail_once:
            self.fail_once.discard(reply.text)
            raise RuntimeError("platform unavailable")
        await asyncio.sleep(self.slow)
        self.received.setdefault(reply.conversation_key, []).append(reply.text)


def _loop(redis: Redis, platform: _Platform, name: str, lease_ms: int = 300) -> DeliveryLoop:
    return DeliveryLoop(
        redis, {"webchat": platform}, name, reclaim_idle_ms=lease_ms, max_attempts=3, block_ms=50
    )


async def _queue(redis: Redis, conversation: str, texts: list[str]) -> None:
    for text in texts:
        reply = outbound(text, conversation_key=conversation)
        await redis.xadd(keys.OUTBOX_STREAM, {"reply": reply.to_json()})


async def _until(predicate, within: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def test_two_loops_deliver_every_conversation_in_order(redis_client: Redis) -> None:
    platform = _Platform(slow=0.001)
    conversations = [f"webchat:c{i}:c{i}" for i in range(20)]
    stop = asyncio.Event()
    loops = [
        asyncio.create_task(_loop(redis_client, platform, f"s{i}").run(stop)) for i in range(2)
    ]
    for round_ in range(5):
        for conversation in conversations:
            await _queue(redis_client, conversation, [f"{conversation}#{round_}"])
    await _until(lambda: sum(map(len, platform.received.values())) == 100)
    stop.set()
    await asyncio.gather(*loops)
    for conversation in conversations:
        assert platform.received[conversation] == [f"{conversation}#{n}" for n in range(5)]


async def test_a_dead_senders_lane_is_finished_in_order_by_another(redis_client: Redis) -> None:
    platform = _Platform()
    await _queue(redis_client, "webchat:c:c", ["1", "2", "3"])
    dead = Lanes(redis_client, lease_ms=300)
    await dead.route()
    await dead.take(10, "dead")  # took the lane, then was killed -9
    await _queue(redis_client, "webchat:c:c", ["4"])
    survivor = _loop(redis_client, platform, "survivor")
    deadline = time.monotonic() + 10
    while platform.received.get("webchat:c:c", []) != ["1", "2", "3", "4"]:
        assert time.monotonic() < deadline, platform.received
        await survivor.run_once()
        await asyncio.sleep(0.05)


async def test_a_failing_reply_holds_its_conversation_and_a_refused_one_is_set_aside(
    redis_client: Redis,
) -> None:
    platform = _Platform()
    platform.fail_once.add("1")
    platform.refuse.add("2")
    await _queue(redis_client, "webchat:c:c", ["1", "2", "3"])
    await _queue(redis_client, "webchat:d:d", ["other"])
    loop = _loop(redis_client, platform, "s")
    deadline = time.monotonic() + 10
    while platform.received.get("webchat:c:c") != ["1", "3"]:
        assert time.monotonic() < deadline, platform.received
        await loop.run_once()
        await asyncio.sleep(0.05)
    assert platform.received["webchat:d:d"] == ["other"]
    [(_, dead)] = await redis_client.xrange(keys.OUTBOX_DEAD)
    assert OutboundReply.from_json(dead["reply"]).text == "2"


async def test_a_stop_lets_a_call_under_way_finish_and_leaves_the_rest_queued(
    redis_client: Redis,
) -> None:
    calling, finish = asyncio.Event(), asyncio.Event()
    platform = _Platform()

    class _SlowPlatform(_Platform):
        async def send(self, reply: OutboundReply) -> None:
            ticket = current_lane.get()
            assert ticket is not None
            ticket.calling = True  # what the send guard marks around a platform call
            calling.set()
            await finish.wait()
            platform.received.setdefault(reply.conversation_key, []).append(reply.text)
            ticket.calling = False

    await _queue(redis_client, "webchat:c:c", ["1", "2"])
    stop = asyncio.Event()
    loop = asyncio.create_task(_loop(redis_client, _SlowPlatform(), "s").run(stop))
    await calling.wait()
    stop.set()
    await asyncio.sleep(0.05)
    assert not loop.done()  # it waits for the call under way
    finish.set()
    await loop
    assert platform.received == {"webchat:c:c": ["1"]}
    assert await redis_client.llen(keys.outbox_lane("webchat:c:c")) == 1  # "2" waits
    assert not await redis_client.exists(keys.outbox_lane_lease("webchat:c:c"))
