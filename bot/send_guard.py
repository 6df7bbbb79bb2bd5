"""At-most-once sending to platforms whose send call can time out and still deliver.

Telegram's ``sendMessage`` and WeChat's customer-service API may deliver a message and then
time out on the way back. Resending after a timeout would show the customer the same answer
twice, so a reply is *claimed* before the call: a reply that is claimed but not recorded as
sent is "in doubt" and is never sent again blindly. A definite failure (the platform answered
with an error) releases the claim, so the outbox retries it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis

from bot import keys
from bot.messages import OutboundReply
from bot.outbox import PermanentSendError
from bot.transcript import Transcripts

logger = logging.getLogger(__name__)


class DeliveryInDoubt(PermanentSendError):
    """An earlier attempt may have delivered this reply: it is not sent again."""


class SendGuard:
    def __init__(self, redis: Redis, transcripts: Transcripts, claim_ttl_seconds: int) -> None:
        self.redis = redis
        self.transcripts = transcripts
        self.claim_ttl_seconds = claim_ttl_seconds

    async def send_once(
        self,
        reply: OutboundReply,
        send: Callable[[], Awaitable[object]],
        *,
        in_doubt: tuple[type[BaseException], ...],
    ) -> bool:
        """Call ``send`` unless this reply was sent (or may have been); record it when sent.

        ``in_doubt`` lists the exceptions after which the platform may have delivered anyway
        (read timeouts). Returns False when the reply had been delivered before.
        """
        if await self.transcripts.is_recorded(reply.reply_id):
            return False
        claim = keys.reply_claim(reply.reply_id)
        if not await self.redis.set(claim, "1", nx=True, ex=self.claim_ttl_seconds):
            raise DeliveryInDoubt(f"an earlier attempt to send {reply.reply_id} did not finish")
        try:
            await send()
        except in_doubt as exc:
            raise DeliveryInDoubt(f"sending {reply.reply_id} timed out: {exc!r}") from exc
        except BaseException:
            await self.redis.delete(claim)  # the platform said no: a retry is safe
            raise
        await self.transcripts.record_reply_once(reply)
        return True
