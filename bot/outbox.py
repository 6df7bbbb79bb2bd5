"""The outbox: replies committed by the pipeline (or written by agents), delivered by each
platform's sender, in order per conversation, however many sender processes run.

Every process runs a ``DeliveryLoop``. It routes the outbox stream into per-conversation lanes
and drives the lanes it can lease, many conversations side by side, each one reply at a time
(``bot/lanes.py`` explains why that keeps the order across processes and crashes). A reply
goes out through ``ReplySender.send``, idempotent per reply id (``bot/send_guard.py``), so a
reply a dead sender had finished is popped, not shown twice.

What happens to the head of a lane:
- sent (or found sent before): popped, the next one follows;
- refused for good (``PermanentSendError``, including "in doubt"): dead-lettered, popped;
- failed for now: the lane is held for a back-off and the same reply is tried again (the
  conversation waits behind it: order over speed); after ``max_attempts`` it is dead-lettered.

Shutdown: lanes waiting for their turn (pacing) or between replies are cancelled and released,
nothing claimed; a lane whose platform call is under way finishes that one reply first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from enum import Enum
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot import keys
from bot.errors import DeliveryError
from bot.lanes import LaneLost, Lanes, LaneTicket, current_lane
from bot.messages import OutboundReply

logger = logging.getLogger(__name__)

# Lanes one process drives at a time (one platform call each, at most).
MAX_LANES = 64
# Longest wait for new work while lanes are waiting that this process did not get.
_POLL_MS = 100
_BACKOFF_MS = 250
_MAX_BACKOFF_MS = 10_000


class PermanentSendError(DeliveryError):
    """The platform refused the reply for good (blocked bot, closed window...): do not retry."""


class DeliveryDeferred(DeliveryError):
    """Not now, but not a failure either (an earlier attempt may still be finishing): the lane
    waits a moment and tries the same reply again, without counting an attempt."""


class ReplySender(Protocol):
    """The sending half of a connector. ``send`` must be idempotent per ``reply.reply_id``."""

    platform: str

    async def send(self, reply: OutboundReply) -> None: ...


class _Next(Enum):
    GO_ON = "go on"  # the head is done with: deliver the next one
    STOP = "stop"  # leave the lane (held for a back-off, or lost)


class DeliveryLoop:
    """Routes the outbox into lanes and delivers the lanes this process leases."""

    def __init__(
        self,
        redis: Redis,
        senders: dict[str, ReplySender],
        consumer: str,
        *,
        reclaim_idle_ms: int,
        max_attempts: int,
        block_ms: int = 1000,
        max_lanes: int = MAX_LANES,
    ) -> None:
        self.redis = redis
        self.senders = senders
        self.consumer = consumer
        self.max_attempts = max_attempts
        self.block_ms = block_ms
        self.max_lanes = max_lanes
        # A lane's lease lasts as long as an inbox entry may stay idle before a reclaim.
        self.lanes = Lanes(redis, lease_ms=reclaim_idle_ms)
        self._driving: dict[str, tuple[LaneTicket, asyncio.Task[int]]] = {}
        self._stopping = False  # set when draining
        self._stop: asyncio.Event | None = None  # run()'s stop

    async def run(self, stop: asyncio.Event) -> None:
        self._stop = stop
        try:
            while not stop.is_set():
                try:
                    waiting = await self._start_lanes()
                    await self._wait_for_work(stop, short=waiting > len(self._driving))
                except (RedisError, OSError) as exc:
                    logger.warning("Delivery loop lost Redis (%r); retrying in 1 s", exc)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), 1)
        finally:
            await self._drain()

    async def run_once(self) -> int:
        """Route, then deliver every lane this process can take, to the end; return how many
        replies were handled. (``run`` does the same without waiting for each round.)"""
        await self.lanes.route()
        _, tickets = await self.lanes.take(self.max_lanes, self.consumer)
        handled = await asyncio.gather(*(self._drive(ticket) for ticket in tickets))
        return sum(handled)

    async def _start_lanes(self) -> int:
        await self.lanes.route()
        free = self.max_lanes - len(self._driving)
        if free <= 0:
            return len(self._driving) + 1
        waiting, tickets = await self.lanes.take(free, self.consumer)
        for ticket in tickets:
            task = asyncio.create_task(self._drive(ticket))
            self._driving[ticket.conversation_key] = (ticket, task)
            task.add_done_callback(self._forget)
        return waiting

    def _forget(self, task: asyncio.Task[int]) -> None:
        # By conversation and task: the lane may have been taken again by a newer task.
        for key, (_, driving) in list(self._driving.items()):
            if driving is task:
                del self._driving[key]

    async def _wait_for_work(self, stop: asyncio.Event, *, short: bool) -> None:
        """Block until the outbox has something to route (it holds nothing else: routed entries
        are deleted), or briefly when lanes wait that someone may let go of."""
        block = min(self.block_ms, _POLL_MS) if short else self.block_ms
        if stop.is_set():
            return
        await self.redis.xread({keys.OUTBOX_STREAM: "0-0"}, count=1, block=block)

    async def _drain(self) -> None:
        """Stop: cancel lanes not in a platform call (nothing is claimed there), let the others
        finish their one reply."""
        self._stopping = True
        driving = list(self._driving.values())
        for ticket, task in driving:
            if not ticket.calling:
                task.cancel()
        await asyncio.gather(*(task for _, task in driving), return_exceptions=True)

    async def _drive(self, ticket: LaneTicket) -> int:
        """Deliver the lane's replies in order until it is empty, held, lost or stopping."""
        current_lane.set(ticket)
        renewal = asyncio.create_task(self._keep_lease(ticket))
        handled, release = 0, True
        try:
            while not self._stopped():  # a lane stops between replies
                head = await self.lanes.head(ticket)
                if head is None:
                    if await self.lanes.release(ticket) <= 0:
                        release = False  # released (or lost): done
                        return handled
                    continue  # a reply was routed in meanwhile
                if await self._deliver(ticket, head) is _Next.STOP:
                    release = False  # held for a back-off, or lost
                    return handled
                handled += 1
        except LaneLost:
            release = False
            logger.info("Lane of %s was taken over; leaving it", ticket.conversation_key)
        except (RedisError, OSError) as exc:
            logger.warning(
                "Lane of %s lost Redis (%r); its lease will lapse", ticket.conversation_key, exc
            )
            release = False
        finally:
            renewal.cancel()
            if release:
                with contextlib.suppress(RedisError, OSError):
                    await asyncio.shield(self.lanes.release(ticket, force=True))
        return handled

    def _stopped(self) -> bool:
        return self._stopping or (self._stop is not None and self._stop.is_set())

    async def _keep_lease(self, ticket: LaneTicket) -> None:
        period = self.lanes.lease_ms / 3000
        while True:
            await asyncio.sleep(period)
            with contextlib.suppress(RedisError, OSError):
                if not await self.lanes.renew(ticket):
                    return

    async def _deliver(self, ticket: LaneTicket, head: str) -> _Next:
        try:
            reply = OutboundReply.from_json(head)
        except (ValueError, TypeError) as exc:
            await self.lanes.pop(ticket, head, "", dead_reason=f"unreadable reply: {exc!r}")
            return _Next.GO_ON
        sender = self.senders.get(reply.platform)
        if sender is None:
            return await self._give_up(
                ticket, head, reply, f"no sender for platform {reply.platform!r}"
            )
        try:
            await sender.send(reply)
        except (LaneLost, asyncio.CancelledError):
            raise
        except DeliveryDeferred as exc:
            logger.info("Reply %s waits: %s", reply.reply_id, exc)
            await self.lanes.hold(ticket, _BACKOFF_MS * 4)
            return _Next.STOP
        except PermanentSendError as exc:
            return await self._give_up(ticket, head, reply, str(exc))
        except RedisError:
            raise  # Redis is gone: nothing to count attempts in; the lease will lapse
        except Exception as exc:
            attempts = await self.redis.hincrby(keys.OUTBOX_ATTEMPTS, reply.reply_id, 1)
            if attempts >= self.max_attempts:
                return await self._give_up(ticket, head, reply, f"failed {attempts} times: {exc!r}")
            logger.warning(
                "Delivery of reply %s failed (attempt %d), will retry: %r",
                reply.reply_id,
                attempts,
                exc,
            )
            await self.lanes.hold(ticket, min(_BACKOFF_MS * 2 ** (attempts - 1), _MAX_BACKOFF_MS))
            return _Next.STOP
        await self.lanes.pop(ticket, head, reply.reply_id)
        return _Next.GO_ON

    async def _give_up(
        self, ticket: LaneTicket, head: str, reply: OutboundReply, why: str
    ) -> _Next:
        logger.error("Giving up on reply %s to %s: %s", reply.reply_id, reply.conversation_key, why)
        await self.lanes.pop(ticket, head, reply.reply_id, dead_reason=why)
        return _Next.GO_ON
