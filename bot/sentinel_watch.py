"""Leave an old master the moment the sentinels announce a new one.

After a failover in which the old master stays up (a failover asked for with ``SENTINEL
FAILOVER``, or a master cut off and back), it keeps answering as a master until the sentinels
get round to demoting it, about ten seconds later. Connections still open to it go on writing
there, and those writes vanish when it resyncs from the new master. redis-py only asks the
sentinels when it opens a connection, so this watcher listens to every sentinel's
``+switch-master`` announcement and drops all of the client's connections when its group
switches: each command in flight fails over (``FailoverRetry``), every next one connects to the
new master (``NewestSentinel`` believes the sentinel with the newest configuration, since the
others may still name the old master for a second or two).
"""

from __future__ import annotations

import asyncio
import logging

from redis.asyncio import Redis
from redis.asyncio.sentinel import SentinelConnectionPool
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

CHANNEL = "+switch-master"
_QUIET_SECONDS = 5.0  # how long one wait for an announcement lasts before the next
_RECONNECT_SECONDS = 1.0


async def watch_switches(pool: SentinelConnectionPool) -> None:
    """Listen to every sentinel of ``pool`` until cancelled."""
    watch = _Watch(pool)
    await asyncio.gather(*(watch.listen(sentinel) for sentinel in pool.sentinel_manager.sentinels))


class _Watch:
    def __init__(self, pool: SentinelConnectionPool) -> None:
        self.pool = pool
        self.announced: tuple[str, int] | None = None  # each sentinel announces the same switch

    async def listen(self, sentinel: Redis) -> None:
        while True:
            try:
                async with sentinel.pubsub() as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    while True:
                        message = await pubsub.get_message(
                            ignore_subscribe_messages=True, timeout=_QUIET_SECONDS
                        )
                        if message is not None and message["type"] == "message":
                            await self.switched(message["data"])
            except (RedisError, OSError) as exc:
                logger.debug("Sentinel watch lost a sentinel (%r); reconnecting", exc)
                await asyncio.sleep(_RECONNECT_SECONDS)

    async def switched(self, data: bytes | str) -> None:
        text = data.decode() if isinstance(data, bytes) else data
        # "<master name> <old ip> <old port> <new ip> <new port>"
        name, _, _, new_ip, new_port = text.split()
        if name != self.pool.service_name:
            return
        address = (new_ip, int(new_port))
        if address == self.announced:
            return
        self.announced = address
        logger.warning("Sentinels moved %s to %s:%s; reconnecting", name, new_ip, new_port)
        await self.pool.disconnect(inuse_connections=True)
