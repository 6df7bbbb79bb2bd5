"""Customers: a profile set by people (tier, name) and a history the bot keeps (counters).

The tier comes from the profile when an admin, an agent or a CRM import set one; otherwise from
history: first contact is ``new``, a customer who wrote on several days is ``regular``, one who
keeps coming back is ``loyal``. ``vip`` is only ever set by people.
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redis.asyncio import Redis

from bot import keys
from bot.errors import InvalidData
from bot.settings import TierRules
from bot.vocabulary import TIERS, Tier

_MAX_DAYS_KEPT = 400


class CustomerDataError(InvalidData):
    """A profile or an import row that cannot be accepted."""


@dataclass(frozen=True)
class CustomerView:
    key: str
    tier: Tier
    tier_source: str  # "profile" or "history"
    display_name: str
    history: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "tier": self.tier,
            "tier_source": self.tier_source,
            "display_name": self.display_name,
            "history": self.history,
        }


class CustomerStore:
    def __init__(self, redis: Redis, rules: TierRules) -> None:
        self.redis = redis
        self.rules = rules

    async def seen(self, key: str, display_name: str, at: float) -> None:
        """Count one message from the customer (called by the pipeline, once per message)."""
        day = datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d")
        async with self.redis.pipeline(transaction=True) as tx:
            tx.hsetnx(keys.customer(key), "first_seen", f"{at:.3f}")
            tx.hincrby(keys.customer(key), "messages", 1)
            if display_name:
                tx.hset(keys.customer(key), "last_name", display_name)
            tx.sadd(keys.customer_days(key), day)
            await tx.execute()
        if await self.redis.scard(keys.customer_days(key)) > _MAX_DAYS_KEPT:
            await self.redis.spop(keys.customer_days(key))

    async def count_ticket(self, key: str) -> None:
        await self.redis.hincrby(keys.customer(key), "tickets", 1)

    async def get(self, key: str) -> CustomerView:
        data = await self.redis.hgetall(keys.customer(key))
        active_days = int(await self.redis.scard(keys.customer_days(key)))
        history = {
            "messages": int(data.get("messages", 0)),
            "tickets": int(data.get("tickets", 0)),
            "active_days": active_days,
            "first_seen": float(data["first_seen"]) if "first_seen" in data else None,
        }
        if data.get("tier") in TIERS:
            tier, source = Tier(data["tier"]), "profile"
        else:
            tier, source = self._tier_from_history(active_days), "history"
        name = data.get("display_name") or data.get("last_name", "")
        return CustomerView(key, tier, source, name, history)

    async def set_profile(self, key: str, tier: str, display_name: str | None = None) -> None:
        if tier not in TIERS:
            raise CustomerDataError(f"tier must be one of {', '.join(TIERS)}, not {tier!r}")
        fields = {"tier": tier, "profile_updated": f"{time.time():.3f}"}
        if display_name:
            fields["display_name"] = display_name
        await self.redis.hset(keys.customer(key), mapping=fields)

    async def import_csv(self, text: str) -> int:
        """Import ``key,tier[,display_name]`` rows (a header row is allowed); all or nothing."""
        rows = [row for row in csv.reader(io.StringIO(text)) if row and any(c.strip() for c in row)]
        if rows and rows[0][0].strip().lower() == "key":
            rows = rows[1:]
        for number, row in enumerate(rows, start=1):
            if len(row) < 2 or not row[0].strip() or row[1].strip() not in TIERS:
                raise CustomerDataError(
                    f"row {number}: expected key,tier[,display_name] with tier in {TIERS}: {row!r}"
                )
        for row in rows:
            name = row[2].strip() if len(row) > 2 else None
            await self.set_profile(row[0].strip(), row[1].strip(), name)
        return len(rows)

    def _tier_from_history(self, active_days: int) -> Tier:
        if active_days >= self.rules.loyal_after_active_days:
            return Tier.LOYAL
        if active_days >= self.rules.regular_after_active_days:
            return Tier.REGULAR
        return Tier.NEW
