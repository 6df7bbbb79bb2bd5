"""The inbox: accepted customer messages, waiting for the pipeline, in a Redis Stream.

Accepting is one atomic script: dedupe on the platform message id (SET NX EX), number the
message within its conversation, append it to the stream and to the conversation's transcript.
So a platform's retry is recognized, and a crash can never leave a message marked as seen but
not queued.

Workers read with a consumer group (at-least-once). Messages of one conversation are processed
in order: each carries its sequence number, a worker runs it only when the previous one is
committed, and the commit is a WATCHed transaction on the conversation's last committed number,
so two workers that end up with the same message (one presumed dead, then reclaimed) cannot both
commit replies for it. A message that keeps failing goes to a dead-letter stream after
``max_deliveries`` attempts so that the conversation is not blocked forever.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from enum import Enum

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import WatchError

from bot import keys
from bot.conversations import ConversationState
from bot.messages import InboundMessage, OutboundReply
from bot.replication import ReplicaAcks
from bot.replies import enqueue_in
from bot.settings import InboxSettings
from bot.streams import ensure_group

logger = logging.getLogger(__name__)

_ACCEPT = """
local previous = redis.call('GET', KEYS[1])
if previous then return {0, previous} end
local seq = redis.call('INCR', KEYS[2])
local id = redis.call('XADD', KEYS[3], '*', 'msg', ARGV[2], 'seq', seq, 'conv', ARGV[5])
redis.call('SET', KEYS[1], id, 'EX', ARGV[1])
redis.call('RPUSH', KEYS[4], ARGV[3])
redis.call('LTRIM', KEYS[4], -tonumber(ARGV[4]), -1)
redis.call('PUBLISH', KEYS[5], ARGV[6])
return {1, id}
"""


@dataclass(frozen=True, slots=True)
class Accepted:
    entry_id: str
    duplicate: bool


@dataclass(frozen=True, slots=True)
class InboxEntry:
    entry_id: str
    message: InboundMessage
    seq: int


class Readiness(Enum):
    READY = "ready"  # the previous message of the conversation is committed
    DONE = "done"  # already committed (a redelivery after a crash): just acknowledge it
    WAIT = "wait"  # an earlier message of the conversation is still in flight


class Inbox:
    def __init__(self, redis: Redis, settings: InboxSettings, consumer: str) -> None:
        self.redis = redis
        self.settings = settings
        self.consumer = consumer
        self._accept = redis.register_script(_ACCEPT)
        self._acks = ReplicaAcks(redis, settings.replica_acks, settings.replica_ack_timeout_ms)

    async def ensure_group(self) -> None:
        await ensure_group(self.redis, keys.INBOX_STREAM, keys.INBOX_GROUP)

    async def accept(self, message: InboundMessage) -> Accepted:
        """Queue ``message`` unless this platform message was accepted before; with replicas,
        once they have it (``bot.replication``: else ``NotReplicated``, a storage error)."""
        entry = {
            "id": message.platform_message_id,
            "role": "customer",
            "text": message.text,
            "ts": message.timestamp,
            "sender": message.sender.display_name,
        }
        transcript_entry = json.dumps(entry, ensure_ascii=False)
        created, entry_id = await self._acks.run(
            self._accept,
            keys=[
                keys.seen(message.platform, message.platform_message_id),
                keys.conversation_seq(message.conversation_key),
                keys.INBOX_STREAM,
                keys.transcript(message.conversation_key),
                keys.EVENTS_CHANNEL,
            ],
            args=[
                self.settings.dedupe_ttl_seconds,
                message.to_json(),
                transcript_entry,
                self.settings.transcript_max,
                message.conversation_key,
                json.dumps(
                    {"type": "entry", "conversation": message.conversation_key, "entry": entry},
                    ensure_ascii=False,
                ),
            ],
        )
        return Accepted(entry_id=str(entry_id), duplicate=not int(created))

    async def read(self, block_ms: int) -> list[InboxEntry]:
        """New entries for this consumer (blocking up to ``block_ms``)."""
        response = await self.redis.xreadgroup(
            keys.INBOX_GROUP,
            self.consumer,
            {keys.INBOX_STREAM: ">"},
            count=self.settings.read_count,
            block=block_ms,
        )
        return [self._entry(eid, fields) for _, items in response or [] for eid, fields in items]

    async def reclaim(self) -> list[InboxEntry]:
        """Entries another worker took but did not finish for ``reclaim_idle_ms`` (it died)."""
        _, items, _deleted = await self.redis.xautoclaim(
            keys.INBOX_STREAM,
            keys.INBOX_GROUP,
            self.consumer,
            min_idle_time=self.settings.reclaim_idle_ms,
            start_id="0-0",
            count=self.settings.read_count,
        )
        if items:
            logger.warning("Reclaimed %d unfinished inbox entries", len(items))
        return [self._entry(eid, fields) for eid, fields in items if fields]

    async def readiness(self, entry: InboxEntry) -> Readiness:
        done = int(
            await self.redis.get(keys.conversation_done(entry.message.conversation_key)) or 0
        )
        if entry.seq <= done:
            return Readiness.DONE
        return Readiness.READY if entry.seq == done + 1 else Readiness.WAIT

    async def record_attempt(self, entry: InboxEntry) -> int:
        return int(await self.redis.hincrby(keys.INBOX_ATTEMPTS, entry.entry_id, 1))

    async def commit(
        self, entry: InboxEntry, state: ConversationState, replies: list[OutboundReply]
    ) -> Readiness:
        """Atomically: save state, queue replies, mark the message done, acknowledge it.

        Returns READY when this call committed; DONE when another worker committed the message
        first, WAIT when an earlier message is still in flight or the connection was lost before
        EXEC ran (nothing is written either way: the caller tries again later).
        """
        conversation = entry.message.conversation_key
        done_key = keys.conversation_done(conversation)
        async with self.redis.pipeline(transaction=True) as tx:
            try:
                await tx.watch(done_key)
                done = int(await tx.get(done_key) or 0)
                if done != entry.seq - 1:
                    await tx.unwatch()
                    if done < entry.seq:
                        return Readiness.WAIT
                    await self.acknowledge(entry)
                    return Readiness.DONE
                tx.multi()
                tx.set(keys.conversation_state(conversation), state.to_json())
                for reply in replies:
                    enqueue_in(tx, reply)
                tx.set(done_key, entry.seq)
                self._queue_ack(tx, entry)
                await tx.execute()
                return Readiness.READY
            except WatchError:
                # Another worker committed first, or the connection dropped mid-transaction
                # (redis-py reports both so) and EXEC may or may not have run: the number says.
                if await self.readiness(entry) is not Readiness.DONE:
                    logger.warning("Commit of inbox entry %s was cut off; retrying", entry.entry_id)
                    return Readiness.WAIT
                logger.info("Inbox entry %s was committed already", entry.entry_id)
                await self.acknowledge(entry)
                return Readiness.DONE

    async def acknowledge(self, entry: InboxEntry) -> None:
        async with self.redis.pipeline(transaction=True) as tx:
            self._queue_ack(tx, entry)
            await tx.execute()

    async def dead_letter(self, entry: InboxEntry, error: str) -> None:
        """Give up on a message that keeps failing, without blocking its conversation."""
        conversation = entry.message.conversation_key
        async with self.redis.pipeline(transaction=True) as tx:
            tx.xadd(
                keys.INBOX_DEAD,
                {
                    "msg": entry.message.to_json(),
                    "seq": entry.seq,
                    "error": error[:2000],
                    "at": f"{time.time():.3f}",
                },
            )
            tx.set(keys.conversation_done(conversation), entry.seq)
            self._queue_ack(tx, entry)
            await tx.execute()
        logger.error("Dead-lettered inbox entry %s of %s: %s", entry.entry_id, conversation, error)

    def _queue_ack(self, tx: Pipeline, entry: InboxEntry) -> None:
        # XDEL as well: once processed, the entry has no reader left, and the stream stays
        # the size of the backlog instead of growing forever.
        tx.xack(keys.INBOX_STREAM, keys.INBOX_GROUP, entry.entry_id)
        tx.xdel(keys.INBOX_STREAM, entry.entry_id)
        tx.hdel(keys.INBOX_ATTEMPTS, entry.entry_id)

    @staticmethod
    def _entry(entry_id: str, fields: dict[str, str]) -> InboxEntry:
        return InboxEntry(
            entry_id=entry_id,
            message=InboundMessage.from_json(fields["msg"]),
            seq=int(fields["seq"]),
        )
