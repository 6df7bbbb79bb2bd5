"""Delivery lanes: one per conversation, driven by one sender at a time, whatever the number
of sender processes.

Why: a consumer group hands entries to whichever consumer reads first, so two processes (or a
reclaim beside a fresh read) could put one conversation's replies on the wire side by side, and
the customer saw them out of order. Lanes make the order a property of Redis instead:

- **Routing.** The outbox stream is only an intake: whoever writes a reply XADDs it there (the
  inbox's commit, an agent's reply). ``route`` moves entries, oldest first and in one script,
  into a list per conversation (``keys.outbox_lane``) and deletes them from the stream. A script
  cannot stop half-way, so no entry is ever "read but not routed": the lane's list order is the
  stream's order, which is the order the replies were committed in.
- **Leases.** A sender takes a lane with ``SET NX PX`` on its lease key and holds it while it
  delivers the head of the list, then the next, renewing the lease as it goes. The lease value
  is a fencing token (a number from ``keys.OUTBOX_FENCE`` plus the sender's name). The reply
  is claimed for sending (``bot/send_guard.py``) by a script that first checks the lease still
  holds this token, so a sender that stalled past its lease (a long GC, Redis gone for a while)
  cannot start a call once another sender has the lane.
- **Reclaim without overtaking.** A sender that dies leaves its lease to expire; the next sender
  starts at the head of the list, i.e. at the dead sender's reply, never beside it. The head is
  popped only once it is sent (or given up), by a script that checks the lease again.

The ``LaneTicket`` of the lane being driven rides in a context variable, so the send guard
can fence its claim without every connector's ``send`` having to pass it along.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass

from redis.asyncio import Redis

from bot import keys
from bot.errors import DeliveryError

# Entries moved from the stream per route call; the rest wait for the next call.
ROUTE_BATCH = 256
# Lanes looked at per take call (the oldest first), to keep the script short.
_TAKE_SCAN = 512

_ROUTE = """
local entries = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', ARGV[1])
for _, entry in ipairs(entries) do
  local id, fields, reply = entry[1], entry[2], nil
  for i = 1, #fields, 2 do if fields[i] == 'reply' then reply = fields[i + 1] end end
  local ok, decoded = pcall(cjson.decode, reply or '')
  if ok and type(decoded) == 'table' and type(decoded['conversation_key']) == 'string' then
    local conversation = decoded['conversation_key']
    redis.call('RPUSH', ARGV[2] .. conversation, reply)
    redis.call('ZADD', KEYS[2], 'NX', tonumber(string.match(id, '^(%d+)')), conversation)
  else
    redis.call('XADD', KEYS[3], '*', 'reply', reply or '', 'error', 'unreadable outbox entry',
               'at', ARGV[3])
  end
  redis.call('XDEL', KEYS[1], id)
end
return #entries
"""

_TAKE = """
local taken = {redis.call('ZCARD', KEYS[1])}
local wanted = tonumber(ARGV[1])
for _, conversation in ipairs(redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[5]) - 1)) do
  if (#taken - 1) / 2 >= wanted then break end
  local lease = ARGV[3] .. conversation .. ARGV[6]
  if redis.call('EXISTS', lease) == 0 then
    if redis.call('LLEN', ARGV[3] .. conversation) == 0 then
      redis.call('ZREM', KEYS[1], conversation)
    else
      local token = redis.call('INCR', KEYS[2]) .. ':' .. ARGV[4]
      redis.call('SET', lease, token, 'PX', ARGV[2])
      table.insert(taken, conversation)
      table.insert(taken, token)
    end
  end
end
return taken
"""

_RENEW = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
"""

_POP = """
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
if redis.call('LINDEX', KEYS[1], 0) ~= ARGV[2] then return -2 end
redis.call('LPOP', KEYS[1])
redis.call('HDEL', KEYS[3], ARGV[3])
if ARGV[4] ~= '' then
  redis.call('XADD', KEYS[4], '*', 'reply', ARGV[2], 'error', ARGV[4], 'at', ARGV[5])
end
return redis.call('LLEN', KEYS[1])
"""

_RELEASE = """
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
local left = redis.call('LLEN', KEYS[1])
if left == 0 then redis.call('ZREM', KEYS[3], ARGV[2]) end
if left == 0 or ARGV[3] == '1' then redis.call('DEL', KEYS[2]) end
return left
"""


class LaneLost(DeliveryError):
    """Another sender holds this conversation's lane now: stop without touching it."""


@dataclass
class LaneTicket:
    """The lane a sender is driving: its conversation and the fencing token of its lease."""

    conversation_key: str
    token: str
    # True while a platform call is under way: a shutdown lets it finish instead of cancelling.
    calling: bool = False

    @property
    def lease_key(self) -> str:
        return keys.outbox_lane_lease(self.conversation_key)


current_lane: ContextVar[LaneTicket | None] = ContextVar("current_lane", default=None)


class Lanes:
    def __init__(self, redis: Redis, *, lease_ms: int) -> None:
        self.redis = redis
        self.lease_ms = lease_ms
        self._route = redis.register_script(_ROUTE)
        self._take = redis.register_script(_TAKE)
        self._renew = redis.register_script(_RENEW)
        self._pop = redis.register_script(_POP)
        self._release = redis.register_script(_RELEASE)

    async def route(self) -> int:
        """Move waiting outbox entries into their conversations' lanes; return how many."""
        return int(
            await self._route(
                keys=[keys.OUTBOX_STREAM, keys.OUTBOX_LANES, keys.OUTBOX_DEAD],
                args=[ROUTE_BATCH, keys.OUTBOX_LANE_PREFIX, f"{time.time():.3f}"],
            )
        )

    async def take(self, wanted: int, owner: str) -> tuple[int, list[LaneTicket]]:
        """Lease up to ``wanted`` free lanes, oldest first: (lanes waiting in all, tickets)."""
        reply = await self._take(
            keys=[keys.OUTBOX_LANES, keys.OUTBOX_FENCE],
            args=[
                wanted,
                self.lease_ms,
                keys.OUTBOX_LANE_PREFIX,
                owner,
                _TAKE_SCAN,
                keys.OUTBOX_LEASE_SUFFIX,
            ],
        )
        waiting, rest = int(reply[0]), reply[1:]
        return waiting, [LaneTicket(rest[i], rest[i + 1]) for i in range(0, len(rest), 2)]

    async def head(self, ticket: LaneTicket) -> str | None:
        """The oldest reply (JSON) of the lane, still to be delivered."""
        return await self.redis.lindex(keys.outbox_lane(ticket.conversation_key), 0)

    async def renew(self, ticket: LaneTicket) -> bool:
        return bool(await self._renew(keys=[ticket.lease_key], args=[ticket.token, self.lease_ms]))

    async def pop(
        self, ticket: LaneTicket, head: str, reply_id: str, *, dead_reason: str = ""
    ) -> int:
        """Drop the delivered (or, with ``dead_reason``, dead-lettered) head; return how many
        replies are left. Raises ``LaneLost`` when the lease is no longer ours."""
        left = int(
            await self._pop(
                keys=[
                    keys.outbox_lane(ticket.conversation_key),
                    ticket.lease_key,
                    keys.OUTBOX_ATTEMPTS,
                    keys.OUTBOX_DEAD,
                ],
                args=[ticket.token, head, reply_id, dead_reason[:2000], f"{time.time():.3f}"],
            )
        )
        if left < 0:
            raise LaneLost(ticket.conversation_key)
        return left

    async def release(self, ticket: LaneTicket, *, force: bool = False) -> int:
        """Give the lane up when it is empty (or, with ``force``, in any case); return how many
        replies are left in it (-1 when the lease was no longer ours)."""
        return int(
            await self._release(
                keys=[
                    keys.outbox_lane(ticket.conversation_key),
                    ticket.lease_key,
                    keys.OUTBOX_LANES,
                ],
                args=[ticket.token, ticket.conversation_key, "1" if force else "0"],
            )
        )

    async def hold(self, ticket: LaneTicket, milliseconds: int) -> None:
        """Keep the lane (nobody else takes it) for ``milliseconds``, then let it go: a back-off
        that keeps the conversation's order, since its head stays where it is."""
        await self._renew(keys=[ticket.lease_key], args=[ticket.token, milliseconds])
