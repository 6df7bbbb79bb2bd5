"""The worker: takes messages from the inbox, runs the pipeline, commits the outcome."""

from __future__ import annotations

import asyncio
import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError

from bot import keys
from bot.conversations import load_state
from bot.inbox import Inbox, InboxEntry, Readiness
from bot.pipeline import Pipeline, Turn
from bot.settings import InboxSettings

logger = logging.getLogger(__name__)

_WAIT_POLL_MS = 50


class Worker:
    def __init__(
        self, redis: Redis, pipeline: Pipeline, settings: InboxSettings, consumer: str
    ) -> None:
        self.redis = redis
        self.pipeline = pipeline
        self.settings = settings
        self.inbox = Inbox(redis, settings, consumer)
        # Entries whose conversation has an earlier message still in flight elsewhere.
        self._waiting: dict[str, InboxEntry] = {}
        self._group_ready = False

    async def run(self, stop: asyncio.Event) -> None:
        logger.info("Worker %s reading %s", self.inbox.consumer, keys.INBOX_STREAM)
        while not stop.is_set():
            try:
                await self.run_once()
            except ResponseError as exc:
                if "NOGROUP" not in str(exc):
                    raise
                # Redis lost the stream (flushed, or restarted without persistence).
                logger.warning("Inbox consumer group missing; recreating it")
                self._group_ready = False
            except (RedisError, OSError) as exc:
                # Redis restarting or a network blip: nothing was lost (unacked entries stay
                # pending), so wait and carry on rather than let the worker die.
                logger.warning("Worker lost Redis (%r); retrying in 1 s", exc)
                await asyncio.sleep(1)
        await self._leave_group()

    async def run_once(self, block_ms: int | None = None) -> int:
        """Handle waiting, reclaimed and new entries once; return how many were finished."""
        if not self._group_ready:
            await self.inbox.ensure_group()
            self._group_ready = True
        finished = await self._retry_waiting()
        fresh = await self.inbox.reclaim()
        block = _WAIT_POLL_MS if self._waiting else (block_ms or self.settings.block_ms)
        fresh += await self.inbox.read(block)
        if fresh:
            await self.pipeline.prepare([entry.message for entry in fresh])
        return finished + await self._handle_batch(fresh)

    async def _handle_batch(self, entries: list[InboxEntry]) -> int:
        """Conversations in the batch run side by side (their Redis round trips and encoder
        calls overlap); the messages of one conversation still run one after the other."""
        by_conversation: dict[str, list[InboxEntry]] = {}
        for entry in entries:
            by_conversation.setdefault(entry.message.conversation_key, []).append(entry)
        results = await asyncio.gather(
            *(self._handle_in_order(group) for group in by_conversation.values()),
            return_exceptions=True,
        )
        errors = [r for r in results if isinstance(r, BaseException)]
        if errors:
            raise errors[0]  # after every conversation finished: none is left running
        return sum(r for r in results if isinstance(r, int))

    async def _handle_in_order(self, entries: list[InboxEntry]) -> int:
        finished = 0
        for entry in sorted(entries, key=lambda e: e.seq):
            finished += await self._handle(entry)
        return finished

    async def _retry_waiting(self) -> int:
        finished = 0
        for entry in sorted(self._waiting.values(), key=lambda e: e.seq):
            finished += await self._handle(entry)
        return finished

    async def _handle(self, entry: InboxEntry) -> int:
        readiness = await self.inbox.readiness(entry)
        if readiness is Readiness.DONE:
            await self.inbox.acknowledge(entry)
            self._waiting.pop(entry.entry_id, None)
            return 1
        if readiness is Readiness.WAIT:
            self._waiting[entry.entry_id] = entry
            return 0
        attempts = await self.inbox.record_attempt(entry)
        try:
            turn = await self._run_pipeline(entry)
        except Exception as exc:
            self._waiting.pop(entry.entry_id, None)
            if attempts >= self.settings.max_deliveries:
                await self.inbox.dead_letter(entry, repr(exc))
                return 1
            logger.exception(
                "Pipeline failed on %s (attempt %d); it will be retried",
                entry.message.log_ref,
                attempts,
            )
            return 0
        outcome = await self.inbox.commit(entry, turn.state, turn.replies)
        if outcome is Readiness.WAIT:
            self._waiting[entry.entry_id] = entry
            return 0
        self._waiting.pop(entry.entry_id, None)
        if outcome is Readiness.READY and turn.decision is not None:
            await self.redis.hincrby(keys.METRICS, f"decision_{turn.decision.kind}", 1)
        return 1

    async def _run_pipeline(self, entry: InboxEntry) -> Turn:
        state = await load_state(self.redis, entry.message.conversation_key)
        turn = await self.pipeline.run(Turn(message=entry.message, state=state))
        decision = turn.decision.kind if turn.decision else turn.stopped_by
        logger.info("Message %s -> %s", entry.message.log_ref, decision)
        return turn

    async def _leave_group(self) -> None:
        """On a clean stop: hand back what this worker read but did not finish, then leave.

        Unfinished entries stay pending (never acknowledged unprocessed); marking them idle for
        ``reclaim_idle_ms`` lets another worker take them at once instead of after that wait.
        The consumer is removed only when it holds nothing: deleting it would drop its entries.
        """
        try:
            pending = await self.redis.xpending_range(
                keys.INBOX_STREAM,
                keys.INBOX_GROUP,
                min="-",
                max="+",
                count=1000,
                consumername=self.inbox.consumer,
            )
            if pending:
                await self.redis.xclaim(
                    keys.INBOX_STREAM,
                    keys.INBOX_GROUP,
                    self.inbox.consumer,
                    min_idle_time=0,
                    message_ids=[entry["message_id"] for entry in pending],
                    idle=self.settings.reclaim_idle_ms,
                    justid=True,
                )
                logger.info("Left %d unfinished inbox entries for other workers", len(pending))
                return
        except (RedisError, OSError) as exc:
            logger.warning(
                "Could not hand back unfinished inbox entries (%r); they will be "
                "reclaimed after %d ms",
                exc,
                self.settings.reclaim_idle_ms,
            )
            return
        await self.redis.xgroup_delconsumer(
            keys.INBOX_STREAM, keys.INBOX_GROUP, self.inbox.consumer
        )
