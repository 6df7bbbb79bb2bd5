"""The outbox: replies committed by the pipeline, delivered by each platform's sender.

Entries are read with a consumer group; a sender that dies mid-delivery leaves its entries
pending, and another delivery loop reclaims them. Delivery itself is idempotent per reply id
(see ``ReplySender``), so a reclaimed reply is never shown twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError

from bot import keys
from bot.messages import OutboundReply
from bot.streams import ensure_group

logger = logging.getLogger(__name__)

class PermanentSendError(Exception):
    """The platform refused the reply for good (blocked bot, closed window...): do not retry."""


class ReplySender(Protocol):
    """The sending half of a connector. ``send`` must be idempotent per ``reply.reply_id``."""

    platform: str

    async def send(self, reply: OutboundReply) -> None: ...


class DeliveryLoop:
    """Reads the outbox and hands each reply to the sender of its platform."""

    def __init__(
        self, redis: Redis, senders: dict[str, ReplySender], consumer: str, *,
        reclaim_idle_ms: int, max_attempts: int, block_ms: int = 1000,
    ) -> None:
        self.redis = redis
        self.senders = senders
        self.consumer = consumer
        self.reclaim_idle_ms = reclaim_idle_ms
        self.max_attempts = max_attempts
        self.block_ms = block_ms
        self._group_ready = False

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.run_once()
            except ResponseError as exc:
                if "NOGROUP" not in str(exc):
                    raise
                # Redis lost the stream (flushed, or restarted without persistence).
                logger.warning("Outbox consumer group missing; recreating it")
                self._group_ready = False
            except (RedisError, OSError) as exc:
                logger.warning("Delivery loop lost Redis (%r); retrying in 1 s", exc)
                await asyncio.sleep(1)

    async def run_once(self) -> int:
        """Deliver what is waiting (reclaimed first); return how many entries were handled."""
        if not self._group_ready:
            await ensure_group(self.redis, keys.OUTBOX_STREAM, keys.OUTBOX_GROUP)
            self._group_ready = True
        _, stale, _ = await self.redis.xautoclaim(
            keys.OUTBOX_STREAM, keys.OUTBOX_GROUP, self.consumer,
            min_idle_time=self.reclaim_idle_ms, start_id="0-0", count=32,
        )
        fresh = await self.redis.xreadgroup(
            keys.OUTBOX_GROUP, self.consumer, {keys.OUTBOX_STREAM: ">"}, count=32,
            block=None if stale else self.block_ms,
        )
        entries = list(stale) + [item for _, items in fresh or [] for item in items]
        # One conversation's replies go out in order; different conversations go out side by
        # side, so one chat's pacing (or a platform's RetryAfter) does not hold up the others.
        by_conversation: dict[str, list[tuple[str, OutboundReply]]] = {}
        for entry_id, fields in entries:
            if fields:
                reply = OutboundReply.from_json(fields["reply"])
                by_conversation.setdefault(reply.conversation_key, []).append((entry_id, reply))
        await asyncio.gather(*(self._deliver_in_order(items)
                               for items in by_conversation.values()))
        return len(entries)

    async def _deliver_in_order(self, items: list[tuple[str, OutboundReply]]) -> None:
        for entry_id, reply in items:
            await self._deliver(entry_id, reply)

    async def _deliver(self, entry_id: str, reply: OutboundReply) -> None:
        sender = self.senders.get(reply.platform)
        if sender is None:
            await self._give_up(entry_id, reply, f"no sender for platform {reply.platform!r}")
            return
        try:
            await sender.send(reply)
        except PermanentSendError as exc:
            await self._give_up(entry_id, reply, str(exc))
            return
        except Exception as exc:
            attempts = await self.redis.hincrby(keys.OUTBOX_ATTEMPTS, entry_id, 1)
            if attempts >= self.max_attempts:
                await self._give_up(entry_id, reply, f"failed {attempts} times: {exc!r}")
            else:
                logger.warning("Delivery of reply %s failed (attempt %d), will retry: %r",
                               reply.reply_id, attempts, exc)
            return
        await self._ack(entry_id)

    async def _give_up(self, entry_id: str, reply: OutboundReply, why: str) -> None:
        logger.error("Giving up on reply %s to %s: %s", reply.reply_id, reply.conversation_key,
                     why)
        await self.redis.xadd(keys.OUTBOX_DEAD, {
            "reply": reply.to_json(), "error": why[:2000], "at": f"{time.time():.3f}",
        })
        await self._ack(entry_id)

    async def _ack(self, entry_id: str) -> None:
        async with self.redis.pipeline(transaction=True) as tx:
            tx.xack(keys.OUTBOX_STREAM, keys.OUTBOX_GROUP, entry_id)
            tx.xdel(keys.OUTBOX_STREAM, entry_id)
            tx.hdel(keys.OUTBOX_ATTEMPTS, entry_id)
            await tx.execute()
