"""End to end: POST a web chat message, until its reply is in the conversation's transcript.

The web chat page polls the transcript; the moment a reply is recorded there, Redis publishes
it on the events channel (``bot.transcript``), which is where this listens. So the time
measured is POST -> reply readable, without the page's poll interval on top.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from bench.load.client import Tally, paced
from bench.load.stats import percentile, steady_rate
from bot import keys
from connectors.webchat.routes import conversation_key

PATH = "/webchat/messages"


class Replies:
    """The time each conversation's first reply was recorded, from the events channel."""

    def __init__(self, redis_url: str) -> None:
        self.redis = Redis.from_url(redis_url, decode_responses=True)
        self.times: dict[str, float] = {}
        self._arrived = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Replies:
        pubsub = self.redis.pubsub()
        await pubsub.subscribe(keys.EVENTS_CHANNEL)
        self._task = asyncio.create_task(self._listen(pubsub))
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        await self.redis.aclose()

    async def _listen(self, pubsub: Any) -> None:
        try:
            async for message in pubsub.listen():
                if message["type"] != "message":
                    continue
                event = json.loads(message["data"])
                entry = event.get("entry") or {}
                if event.get("type") == "entry" and entry.get("role") != "customer":
                    self.times.setdefault(event["conversation"], time.perf_counter())
                    self._arrived.set()
        finally:
            await pubsub.aclose()

    async def wait_for(self, conversations: Sequence[str], patience: float) -> None:
        """Until every one of ``conversations`` has a reply, or ``patience`` seconds pass."""
        deadline = time.perf_counter() + patience
        wanted = set(conversations)
        while not wanted <= self.times.keys() and time.perf_counter() < deadline:
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), deadline - time.perf_counter())
            except TimeoutError:
                break


@dataclass
class Run:
    sent: int
    replied: int
    seconds: float  # first POST to last reply
    rate: float | None  # steady messages/s (the middle 80 % of replies)
    latencies_ms: list[float] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)

    @property
    def p50(self) -> float | None:
        return percentile(self.latencies_ms, 50) if self.latencies_ms else None

    @property
    def p95(self) -> float | None:
        return percentile(self.latencies_ms, 95) if self.latencies_ms else None


class Conversations:
    """Fresh conversation ids: every message opens its own conversation, so none waits for an
    earlier one and every message gets exactly one reply."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.count = 0

    def next(self) -> str:
        self.count += 1
        return f"load-{self.tag}-{self.count:07d}"


async def send_and_wait(
    api: str,
    redis_url: str,
    texts: Sequence[str],
    offsets: Sequence[float],
    ids: Conversations,
    *,
    connections: int,
    patience: float,
) -> Run:
    """POST ``texts[i]`` at ``offsets[i]`` s from now, each in a new conversation; wait for
    every reply (up to ``patience`` s after the last POST)."""
    cids = [ids.next() for _ in texts]
    payloads = [{"conversation_id": c, "text": t} for c, t in zip(cids, texts, strict=True)]
    sent_at: dict[int, float] = {}
    async with Replies(redis_url) as replies:
        tally = await paced(
            api,
            PATH,
            payloads,
            list(offsets),
            connections=connections,
            on_sent=sent_at.__setitem__,
        )
        convs = [conversation_key(c) for c in cids]
        await replies.wait_for(convs, patience)
        got = {i: replies.times[c] for i, c in enumerate(convs) if c in replies.times}
    first_post = min(sent_at.values())
    latencies = [(got[i] - sent_at[i]) * 1000 for i in sorted(got)]
    rate = steady_rate(list(got.values())) if len(got) >= 10 else None
    return Run(
        sent=len(texts),
        replied=len(got),
        seconds=max(got.values(), default=first_post) - first_post,
        rate=rate,
        latencies_ms=latencies,
        tally=tally,
    )


def even_offsets(count: int, rate: float) -> list[float]:
    return [i / rate for i in range(count)]


def poisson_offsets(count: int, rate: float, seed: int = 11) -> list[float]:
    """Arrival times of a Poisson process at ``rate``: customers do not write in step."""
    rng = random.Random(seed)
    offsets, now = [], 0.0
    for _ in range(count):
        offsets.append(now)
        now += rng.expovariate(rate)
    return offsets
