"""Who changed what, when: the admins' audit log (newest first, capped)."""

from __future__ import annotations

import json
import time
from typing import Any

from redis.asyncio import Redis

from bot import keys

MAX_ENTRIES = 10_000


class AuditLog:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def record(self, who: str, action: str, detail: dict[str, Any] | None = None) -> None:
        entry = {"who": who, "action": action, "detail": detail or {}, "at": time.time()}
        async with self.redis.pipeline(transaction=True) as tx:
            tx.lpush(keys.AUDIT_LOG, json.dumps(entry, ensure_ascii=False))
            tx.ltrim(keys.AUDIT_LOG, 0, MAX_ENTRIES - 1)
            await tx.execute()

    async def recent(self, limit: int = 200) -> list[dict[str, Any]]:
        return [json.loads(raw) for raw in await self.redis.lrange(keys.AUDIT_LOG, 0, limit - 1)]
