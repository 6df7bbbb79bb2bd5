"""Who has a private chat with the bot: the only users the bot may write to in private.

A bot cannot start a conversation: a user must have written to it first (or pressed Start),
and may block it later. Seen private messages add the user; a block (``my_chat_member`` ->
``kicked``) or a ``Forbidden`` answer removes them.
"""

from __future__ import annotations

import json
import time

from redis.asyncio import Redis

from bot import keys


class PrivateChats:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def remember(self, user_id: str) -> None:
        await self.redis.hsetnx(
            keys.telegram_private_chats(), user_id, json.dumps({"since": time.time()})
        )

    async def forget(self, user_id: str) -> None:
        await self.redis.hdel(keys.telegram_private_chats(), user_id)

    async def has(self, user_id: str) -> bool:
        return bool(await self.redis.hexists(keys.telegram_private_chats(), user_id))
