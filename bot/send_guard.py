"""Exactly-once sending to platforms whose send call can time out and still deliver.

Telegram's ``sendMessage`` and WeChat's customer-service API may deliver a message and then
time out on the way back. Resending after a timeout would show the customer the same answer
twice, so a reply is *claimed* immediately before the platform call (after any pacing wait:
a reply still waiting for its turn has not started, and a crash there leaves it to be sent by
the next sender). The claim is a script that also checks the sender still holds the
conversation's delivery lane (``bot/lanes.py``), so a sender that lost its lane cannot start.

After the call:
- it answered: the reply is recorded in the transcript, once per reply id (retried while
  Redis is away: the customer has it, so the transcript must too);
- it failed for sure (the platform said no, nothing connected): the claim is released and the
  outbox retries;
- no answer came back (``in_doubt``), or a shutdown cancelled the call: the reply *may* have
  arrived. It is not sent again; it is recorded with ``state: in_doubt`` so that agents see it.

A claim found without a recorded send belongs to an attempt that died mid-call (or that is
still finishing after losing Redis for a while). Within ``settle_seconds`` of the claim the
reply waits (``DeliveryDeferred``); after that it is in doubt, recorded as such, not resent.
Cancelled before the call started (during the pacing wait, or the claim itself): the claim,
if it was made, is released.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot import keys
from bot.lanes import LaneLost, current_lane
from bot.messages import OutboundReply
from bot.outbox import DeliveryDeferred, PermanentSendError
from bot.transcript import Transcripts

logger = logging.getLogger(__name__)

SETTLE_SECONDS = 15.0
# How long recording an outcome (or releasing a claim) is retried while Redis is unreachable.
_PATIENCE_SECONDS = 60.0

_CLAIM = """
if ARGV[1] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[1] then return {'lost', ''} end
if redis.call('EXISTS', KEYS[1]) == 1 then return {'sent', ''} end
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'EX', ARGV[3]) then return {'claimed', ''} end
return {'earlier', redis.call('GET', KEYS[2]) or ''}
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class DeliveryInDoubt(PermanentSendError):
    """An earlier attempt may have delivered this reply: it is not sent again."""


class SendGuard:
    def __init__(
        self,
        redis: Redis,
        transcripts: Transcripts,
        claim_ttl_seconds: int,
        settle_seconds: float = SETTLE_SECONDS,
    ) -> None:
        self.redis = redis
        self.transcripts = transcripts
        self.claim_ttl_seconds = claim_ttl_seconds
        self.settle_seconds = settle_seconds
        self._claim = redis.register_script(_CLAIM)
        self._release = redis.register_script(_RELEASE)

    async def send_once(
        self,
        reply: OutboundReply,
        send: Callable[[], Awaitable[object]],
        *,
        in_doubt: tuple[type[BaseException], ...],
        pace: Callable[[], Awaitable[object]] | None = None,
    ) -> bool:
        """Call ``send`` unless this reply was sent (or may have been); record it when sent.

        ``in_doubt`` lists the exceptions after which the platform may have delivered anyway
        (read timeouts). ``pace`` waits for the reply's turn (flood limits) before the claim.
        Returns False when the reply had been delivered (or given up as in doubt) before.
        """
        if await self.transcripts.is_recorded(reply.reply_id):
            return False
        claim = keys.reply_claim(reply.reply_id)
        earlier = await self.redis.get(claim)
        if earlier is not None:
            await self._earlier_attempt(reply, earlier)
        if pace is not None:
            await pace()
        value = json.dumps({"at": time.time(), "by": _lane_token()})
        status = await self._claim_or_release(reply, claim, value)
        if status == "sent":
            return False
        ticket = current_lane.get()
        if ticket is not None:
            ticket.calling = True
        try:
            await send()
        except in_doubt as exc:
            await self._record(reply, "in_doubt")
            raise DeliveryInDoubt(f"sending {reply.reply_id} timed out: {exc!r}") from exc
        except asyncio.CancelledError:
            # The call had started: it may have arrived. Keep the claim (never resent).
            logger.warning("Sending %s was cancelled mid-call: it is in doubt", reply.reply_id)
            raise
        except BaseException:
            # The platform said no (or nothing connected): a retry is safe, once the claim is
            # gone. Redis may be what failed, so keep trying to remove it.
            await self._patiently(self._release, keys=[claim], args=[value])
            raise
        finally:
            if ticket is not None:
                ticket.calling = False
        await self._record(reply, "delivered")
        return True

    async def _claim_or_release(self, reply: OutboundReply, claim: str, value: str) -> str:
        ticket = current_lane.get()
        lease = ticket.lease_key if ticket is not None else claim  # unused without a lane
        try:
            status, earlier = await self._claim(
                keys=[keys.reply_sent(reply.reply_id), claim, lease],
                args=[ticket.token if ticket is not None else "", value, self.claim_ttl_seconds],
            )
        except (asyncio.CancelledError, RedisError):
            # Before the call started (cancelled, or Redis went away): whether or not the claim
            # landed, undo it, or the reply would look in doubt without ever having been sent.
            await asyncio.shield(self._patiently(self._release, keys=[claim], args=[value]))
            raise
        if status == "lost":
            raise LaneLost(reply.conversation_key)
        if status == "earlier":
            await self._earlier_attempt(reply, earlier)
        return str(status)

    async def _earlier_attempt(self, reply: OutboundReply, raw: str) -> None:
        """An attempt claimed this reply and never recorded the outcome."""
        try:
            claimed_at = float(json.loads(raw)["at"])
        except (ValueError, KeyError, TypeError):
            claimed_at = 0.0  # a claim of an older version: long settled
        age = time.time() - claimed_at
        if age < self.settle_seconds:
            raise DeliveryDeferred(
                f"an attempt to send {reply.reply_id} started {age:.1f} s "
                "ago and may still be finishing"
            )
        await self._record(reply, "in_doubt")
        raise DeliveryInDoubt(f"an earlier attempt to send {reply.reply_id} did not finish")

    async def _record(self, reply: OutboundReply, state: str) -> None:
        """Record the outcome, waiting for Redis if it is away (a restart takes seconds)."""
        await self._patiently(self.transcripts.record_reply_once, reply, state)

    async def _patiently(
        self, call: Callable[..., Awaitable[object]], *args: object, **kwargs: object
    ) -> None:
        """``call``, retried while Redis is unreachable, for up to a minute."""
        deadline = time.monotonic() + _PATIENCE_SECONDS
        delay = 0.1
        while True:
            try:
                await call(*args, **kwargs)
                return
            except RedisError as exc:
                if time.monotonic() > deadline:
                    raise
                logger.warning("Redis is away (%r); retrying in %.1f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)


def _lane_token() -> str:
    ticket = current_lane.get()
    return ticket.token if ticket is not None else ""
