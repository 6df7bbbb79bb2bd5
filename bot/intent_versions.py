"""Versioned intent sets in Redis: publish, roll back, and tell every process at once.

Each published version is immutable (a JSON document with the intents, the system lines, its
author, time, note and the evaluation report it was published with). ``live`` points at the
version in service. Rollback publishes an earlier version's content again, as a new version,
so that history only ever grows and says who did what. Every publish is announced on a pub/sub
channel; each API process and worker reloads within moments (see ``bot.brain``).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from bot import keys
from bot.errors import NotFound
from bot.intents import IntentSet

logger = logging.getLogger(__name__)


class VersionNotFound(NotFound):
    """No such intent-set version."""


@dataclass(frozen=True)
class IntentVersion:
    number: int
    intent_set: IntentSet
    author: str
    created_at: float
    note: str = ""
    report: dict[str, Any] = field(default_factory=dict)
    based_on: int | None = None

    def meta(self) -> dict[str, Any]:
        intents = self.intent_set.intents
        return {
            "version": self.number,
            "author": self.author,
            "created_at": self.created_at,
            "note": self.note,
            "based_on": self.based_on,
            "intents": len(intents),
            "examples": sum(len(i.examples) for i in intents.values()),
            "accuracy": self.report.get("accuracy"),
        }

    def to_json(self) -> str:
        return json.dumps(
            {
                "number": self.number,
                "intent_set": self.intent_set.to_dict(),
                "author": self.author,
                "created_at": self.created_at,
                "note": self.note,
                "report": self.report,
                "based_on": self.based_on,
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, raw: str) -> IntentVersion:
        data = json.loads(raw)
        data["intent_set"] = IntentSet.from_dict(data["intent_set"])
        return cls(**data)


class IntentVersions:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def live(self) -> IntentVersion | None:
        number = await self.redis.get(keys.INTENTS_LIVE)
        return await self.get(int(number)) if number else None

    async def get(self, number: int) -> IntentVersion:
        raw = await self.redis.hget(keys.INTENT_VERSIONS, str(number))
        if raw is None:
            raise VersionNotFound(f"no intent-set version {number}")
        return IntentVersion.from_json(raw)

    async def history(self) -> list[dict[str, Any]]:
        """Every version's summary, newest first, with ``live`` marking the one in service."""
        live = await self.redis.get(keys.INTENTS_LIVE)
        raws = await self.redis.hvals(keys.INTENT_VERSIONS)
        versions = sorted(
            (IntentVersion.from_json(raw) for raw in raws), key=lambda v: v.number, reverse=True
        )
        return [{**v.meta(), "live": str(v.number) == live} for v in versions]

    async def seed(self, intent_set: IntentSet) -> IntentVersion:
        """Make the shipped files version 1 when Redis holds no version yet (idempotent)."""
        version = IntentVersion(1, intent_set, "seed", time.time(), "from the intents/ folder")
        if await self.redis.hsetnx(keys.INTENT_VERSIONS, "1", version.to_json()):
            await self.redis.set(keys.INTENT_SEQ, 1, nx=True)
            await self.redis.set(keys.INTENTS_LIVE, 1, nx=True)
            logger.info("Seeded intent-set version 1 from files")
        live = await self.live()
        assert live is not None
        return live

    async def publish(
        self,
        intent_set: IntentSet,
        author: str,
        *,
        note: str = "",
        report: dict[str, Any] | None = None,
        based_on: int | None = None,
    ) -> IntentVersion:
        """Store a new version, make it live and announce it."""
        number = int(await self.redis.incr(keys.INTENT_SEQ))
        version = IntentVersion(
            number, intent_set, author, time.time(), note, report or {}, based_on
        )
        async with self.redis.pipeline(transaction=True) as tx:
            tx.hset(keys.INTENT_VERSIONS, str(number), version.to_json())
            tx.set(keys.INTENTS_LIVE, number)
            tx.publish(keys.INTENTS_CHANNEL, json.dumps({"version": number}))
            await tx.execute()
        logger.info("Intent-set version %d published by %s", number, author)
        return version

    async def rollback(self, to: int, author: str) -> IntentVersion:
        """Publish version ``to``'s content again (as a new version)."""
        earlier = await self.get(to)
        return await self.publish(
            earlier.intent_set,
            author,
            note=f"rollback to version {to}",
            report=earlier.report,
            based_on=to,
        )
