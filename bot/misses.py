"""Messages the bot did not answer for lack of understanding: the raw material for new examples.

Kept as a capped list of JSON entries (text, language, the nearest intents, when), newest first.
Admins group them by similarity and turn them into examples, or dismiss them; agents add the
ones the bot should have answered ("flag") from a ticket, and the hand-overs that needed no
person ("unnecessary"), which an admin teaches the triage as ``neutral`` examples.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from redis.asyncio import Redis

from bot import keys
from bot.understanding.result import Understanding

MAX_MISSES = 5000


@dataclass(frozen=True)
class Miss:
    id: str
    text: str
    language: str
    nearest: list[dict[str, Any]]
    at: float
    source: str = "fallback"  # fallback | repeated_failure | flagged | unnecessary
    suggested_intent: str = ""
    flagged_by: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class MissLog:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def record(self, text: str, understanding: Understanding, source: str) -> None:
        nearest = [
            {"intent": s.intent, "confidence": s.confidence} for s in understanding.ranking[:3]
        ]
        await self._add(
            Miss(miss_id(text), text, understanding.language, nearest, time.time(), source)
        )

    async def flag(self, text: str, language: str, intent: str, agent: str) -> Miss:
        """An agent says: the bot should have answered this with ``intent``."""
        miss = Miss(miss_id(text), text, language, [], time.time(), "flagged", intent, agent)
        await self._add(miss)
        return miss

    async def unnecessary(
        self, text: str, language: str, agent: str, extra: dict[str, Any]
    ) -> Miss:
        """An agent says: this message was handed to a person, and needed none. ``extra``
        carries the triage scores and reason, for the admin who teaches the triage."""
        miss = Miss(miss_id(text), text, language, [], time.time(), "unnecessary", "", agent, extra)
        await self._add(miss)
        return miss

    async def all(self) -> list[Miss]:
        raws = await self.redis.hvals(keys.MISSES)
        return sorted((Miss(**json.loads(raw)) for raw in raws), key=lambda m: -m.at)

    async def remove(self, ids: list[str]) -> int:
        return int(await self.redis.hdel(keys.MISSES, *ids)) if ids else 0

    async def _add(self, miss: Miss) -> None:
        # Keyed by the text: the same question asked a hundred times is one entry to handle.
        await self.redis.hset(keys.MISSES, miss.id, json.dumps(asdict(miss), ensure_ascii=False))
        if await self.redis.hlen(keys.MISSES) > MAX_MISSES:
            oldest = sorted(await self.all(), key=lambda m: m.at)[: MAX_MISSES // 10]
            await self.remove([m.id for m in oldest])


def miss_id(text: str) -> str:
    return hashlib.sha1(text.strip().lower().encode()).hexdigest()[:12]
