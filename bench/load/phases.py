"""The measurements of one load run, in the order they run (each on an otherwise idle machine
as far as this run goes: nothing of ours computes while another figure is taken)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from redis.asyncio import Redis

from bench.load import e2e
from bench.load.client import Tally, closed_loop
from bench.load.texts import TextSupply
from bot import keys

logger = logging.getLogger("bench.load")

WARMUP_MESSAGES = 20


@dataclass
class Plan:
    """How long each measurement runs (``--quick`` shortens them all)."""

    accept_seconds: float = 6.0
    accept_rounds: int = 2  # alternating with the peer's, the best of each kept
    connections: int = 16
    saturation_seconds: float = 12.0  # of work for the workers, at the classifier's speed
    latency_seconds: float = 12.0
    classifier_seconds: float = 8.0

    @classmethod
    def quick(cls) -> Plan:
        return cls(3.0, 1, 16, 5.0, 5.0, 4.0)


@dataclass
class Accept:
    rates: list[float] = field(default_factory=list)  # one per round
    tally: Tally = field(default_factory=Tally)
    cpu_seconds: float = 0.0  # the server process's, over every round

    @property
    def cpu_us(self) -> float | None:
        """The server's CPU time per accepted request (µs)."""
        done = self.tally.ok_all_along
        return self.cpu_seconds / done * 1e6 if done else None

    @property
    def best(self) -> float:
        return max(self.rates)


async def accept(
    base: str, path: str, supply: TextSupply, ids: e2e.Conversations, plan: Plan, into: Accept
) -> None:
    """One round of POSTs with distinct texts, as fast as ``plan.connections`` clients go."""

    def payload() -> dict[str, str]:
        return {"conversation_id": ids.next(), "text": supply.next()}

    rate, tally = await closed_loop(
        base, path, payload, connections=plan.connections, seconds=plan.accept_seconds
    )
    into.rates.append(rate)
    for status, count in tally.statuses.items():
        for _ in range(count):
            into.tally.count(status)
    into.tally.ok_all_along += tally.ok_all_along
    logger.info("%s%s: %.0f accepted/s %s", base, path, rate, tally.statuses)


async def forget_backlog(redis_url: str, *streams: str) -> None:
    """Drop what the accept rounds queued (nobody will process it), keeping consumer groups."""
    async with Redis.from_url(redis_url) as client:
        for stream in streams:
            await client.xtrim(stream, maxlen=0, approximate=False)  # "~ 0" would leave most
            if await client.xlen(stream):
                raise RuntimeError(f"{stream} still holds entries after XTRIM MAXLEN 0")


async def warm_up(api: str, redis_url: str, supply: TextSupply, ids: e2e.Conversations) -> None:
    """A few messages through every stage first: the encoder's first calls are slow."""
    texts = supply.take(WARMUP_MESSAGES)
    await e2e.send_and_wait(
        api,
        redis_url,
        texts,
        e2e.even_offsets(len(texts), 20.0),
        ids,
        connections=4,
        patience=120,
    )


async def saturate(
    api: str,
    redis_url: str,
    texts: list[str],
    ids: e2e.Conversations,
    bound: float,
    accept_rate: float,
    plan: Plan,
) -> e2e.Run:
    """Messages posted faster than the workers can answer (twice ``bound``, what they could do
    at the classifier's speed), so a backlog forms; the rate replies come at is the
    saturation throughput."""
    post_rate = min(2 * bound, 0.5 * accept_rate)
    return await e2e.send_and_wait(
        api,
        redis_url,
        texts,
        e2e.even_offsets(len(texts), post_rate),
        ids,
        connections=plan.connections,
        patience=3 * len(texts) / bound + 30,
    )


async def at_half(
    api: str,
    redis_url: str,
    supply: TextSupply,
    ids: e2e.Conversations,
    saturation: float,
    plan: Plan,
) -> tuple[float, e2e.Run]:
    """Poisson arrivals at half the saturation rate; every POST -> reply time."""
    rate = saturation / 2
    count = max(50, round(rate * plan.latency_seconds))
    run = await e2e.send_and_wait(
        api,
        redis_url,
        supply.take(count),
        e2e.poisson_offsets(count, rate),
        ids,
        connections=plan.connections,
        patience=60,
    )
    return rate, run


def messages_for(rate: float, seconds: float, least: int = 60) -> int:
    return max(least, round(rate * seconds))


def inbox_streams() -> tuple[str, str]:
    from bench.load.bare_app import STREAM

    return keys.INBOX_STREAM, STREAM
