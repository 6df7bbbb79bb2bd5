"""The conversation as the customer sees it, kept in Redis as a capped list of JSON entries.

Customer messages are appended when accepted (by the inbox's accept script); replies are
appended when they are delivered, exactly once per reply id, whatever the number of attempts.
A reply whose platform call got no answer is appended with ``"state": "in_doubt"``: the
customer may have it, so the agent must see it.

The marker (``keys.reply_sent``) and the entry are written by one script, so Redis's append-only
file holds both or neither, and recording again is a no-op: a sender that finds Redis gone
after the platform call keeps retrying the record until Redis is back, and the transcript gets
the reply exactly once. A clean Redis restart (SHUTDOWN) loses nothing; a Redis crash can lose
up to the last second of writes (``appendfsync everysec``), see docs/delivery.md.
"""

from __future__ import annotations

import json
from typing import Any

from redis.asyncio import Redis

from bot import keys
from bot.messages import OutboundReply

_RECORD_ONCE = """
if redis.call('SET', KEYS[1], ARGV[4], 'NX', 'EX', ARGV[3]) == false then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
redis.call('PUBLISH', KEYS[3], ARGV[5])
return 1
"""


class Transcripts:
    def __init__(self, redis: Redis, max_entries: int, reply_ttl_seconds: int) -> None:
        self.redis = redis
        self.max_entries = max_entries
        self.reply_ttl_seconds = reply_ttl_seconds
        self._record_once = redis.register_script(_RECORD_ONCE)

    async def record_reply_once(self, reply: OutboundReply, state: str = "delivered") -> bool:
        """Append ``reply`` unless its id was recorded before; True when this call recorded it."""
        fields = {
            "id": reply.reply_id,
            "role": reply.author,
            "text": reply.text,
            "ts": reply.created_at,
            "intent": reply.intent,
            "agent": reply.agent,
        }
        if state != "delivered":
            fields["state"] = state
        entry = json.dumps(fields, ensure_ascii=False)
        event = json.dumps(
            {"type": "entry", "conversation": reply.conversation_key, "entry": fields},
            ensure_ascii=False,
        )
        recorded = await self._record_once(
            keys=[
                keys.reply_sent(reply.reply_id),
                keys.transcript(reply.conversation_key),
                keys.EVENTS_CHANNEL,
            ],
            args=[entry, self.max_entries, self.reply_ttl_seconds, state, event],
        )
        return bool(recorded)

    async def is_recorded(self, reply_id: str) -> bool:
        return bool(await self.redis.exists(keys.reply_sent(reply_id)))

    async def read(self, conversation_key: str) -> list[dict[str, Any]] | None:
        """The whole transcript, or None when the conversation does not exist."""
        raw = await self.redis.lrange(keys.transcript(conversation_key), 0, -1)
        if not raw:
            return None
        return [json.loads(item) for item in raw]
