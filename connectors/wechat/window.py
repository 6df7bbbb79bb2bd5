"""The customer-service message budget: who may still be messaged, and how many times.

WeChat lets an official account message a user only after the user interacted: a message
grants 5 customer-service messages within 48 hours; a menu click, a subscribe or a QR scan
grants 3 within 1 minute. Outside that, the API answers 45015 (window closed) or 45047 (count
exceeded). Sending blindly would only collect errors and retries, so the budget is kept per
user in Redis, checked before each send, and a refusal marks the user "cannot reach until they
write again" for the agent console (``unreachable``).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Literal

from redis.asyncio import Redis

from bot import keys
from bot.outbox import PermanentSendError

Reason = Literal["window_closed", "count_exceeded", "unsubscribed"]

WINDOW_CLOSED = 45015
COUNT_EXCEEDED = 45047
REFUSALS: dict[int, Reason] = {WINDOW_CLOSED: "window_closed", COUNT_EXCEEDED: "count_exceeded"}


@dataclass(frozen=True, slots=True)
class Grant:
    count: int
    seconds: int


GRANTS: dict[str, Grant] = {"message": Grant(5, 48 * 3600), "event": Grant(3, 60)}
_KEEP_SECONDS = 48 * 3600 + 3600

# Spend from the short event grant first (it lapses within a minute), then the 48-hour one.
_RESERVE = """
local now = tonumber(ARGV[1])
for _, kind in ipairs({'event', 'message'}) do
  local untl = tonumber(redis.call('HGET', KEYS[1], kind .. ':until') or '0')
  local left = tonumber(redis.call('HGET', KEYS[1], kind .. ':left') or '0')
  if untl > now and left > 0 then
    redis.call('HINCRBY', KEYS[1], kind .. ':left', -1)
    return kind
  end
end
local m = tonumber(redis.call('HGET', KEYS[1], 'message:until') or '0')
local e = tonumber(redis.call('HGET', KEYS[1], 'event:until') or '0')
if m > now or e > now then return 'count_exceeded' end
return 'window_closed'
"""


# A message's grant, once: with the marker, so a push retried after a failure half-way (the
# message queued, Redis gone before the grant) still gets it, and a replay gets nothing.
_GRANT_ONCE = """
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[4]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1] .. ':until', ARGV[2], ARGV[1] .. ':left', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('DEL', KEYS[3])
return 1
"""


class CustomerUnreachable(PermanentSendError):
    """The platform will not deliver to this user until they write again."""

    def __init__(self, user_id: str, reason: Reason, code: int | None = None) -> None:
        super().__init__(
            f"customer unreachable until they write again: {reason}"
            + (f" (errcode {code})" if code else "")
        )
        self.user_id = user_id
        self.reason = reason
        self.code = code


class ServiceWindow:
    def __init__(self, redis: Redis, platform: str) -> None:
        self.redis = redis
        self.platform = platform
        self._reserve = redis.register_script(_RESERVE)
        self._grant_once = redis.register_script(_GRANT_ONCE)

    async def opened(self, user_id: str, trigger: str, at: float | None = None) -> None:
        """The user interacted: grant a fresh budget and forget any unreachable mark."""
        grant = GRANTS[trigger]
        now = time.time() if at is None else at
        key = keys.wechat_window(self.platform, user_id)
        async with self.redis.pipeline(transaction=True) as tx:
            tx.hset(
                key,
                mapping={f"{trigger}:until": now + grant.seconds, f"{trigger}:left": grant.count},
            )
            tx.expire(key, _KEEP_SECONDS)
            tx.delete(keys.wechat_unreachable(self.platform, user_id))
            await tx.execute()

    async def opened_by(self, user_id: str, trigger: str, message_key: str) -> bool:
        """Like ``opened``, once per message however often it is delivered; True if granted."""
        grant = GRANTS[trigger]
        granted = await self._grant_once(
            keys=[
                keys.wechat_window(self.platform, user_id),
                keys.wechat_window_granted(message_key),
                keys.wechat_unreachable(self.platform, user_id),
            ],
            args=[
                trigger,
                time.time() + grant.seconds,
                grant.count,
                _KEEP_SECONDS * 7,
                _KEEP_SECONDS,
            ],
        )
        return bool(granted)

    async def reserve(self, user_id: str, at: float | None = None) -> str:
        """Take one message from the budget; raise ``CustomerUnreachable`` when none is left."""
        now = time.time() if at is None else at
        raw = await self._reserve(keys=[keys.wechat_window(self.platform, user_id)], args=[now])
        outcome = raw.decode() if isinstance(raw, bytes) else str(raw)
        if outcome in GRANTS:
            return outcome
        reason: Reason = "count_exceeded" if outcome == "count_exceeded" else "window_closed"
        await self.mark_unreachable(user_id, reason)
        raise CustomerUnreachable(user_id, reason)

    async def release(self, user_id: str, grant: str) -> None:
        """Give back a reserved message the platform definitely did not deliver."""
        await self.redis.hincrby(keys.wechat_window(self.platform, user_id), f"{grant}:left", 1)

    async def refused(self, user_id: str, code: int) -> CustomerUnreachable:
        """The platform refused with 45015/45047: close the budget and mark the user."""
        reason = REFUSALS[code]
        await self.redis.delete(keys.wechat_window(self.platform, user_id))
        await self.mark_unreachable(user_id, reason, code)
        return CustomerUnreachable(user_id, reason, code)

    async def mark_unreachable(self, user_id: str, reason: Reason, code: int | None = None) -> None:
        await self.redis.set(
            keys.wechat_unreachable(self.platform, user_id),
            json.dumps({"reason": reason, "code": code, "at": time.time()}),
            ex=_KEEP_SECONDS * 7,
        )


async def unreachable(redis: Redis, platform: str, user_id: str) -> dict[str, Any] | None:
    """Why this user cannot be messaged now (for the agent console), or None if they can."""
    raw = await redis.get(keys.wechat_unreachable(platform, user_id))
    return json.loads(raw) if raw else None
