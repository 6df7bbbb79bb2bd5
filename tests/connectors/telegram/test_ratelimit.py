from __future__ import annotations

import asyncio

from connectors.telegram.ratelimit import ChatRateLimiter


async def test_each_chat_is_paced_and_other_chats_do_not_wait_behind_it() -> None:
    limiter, calls = ChatRateLimiter(), []
    loop = asyncio.get_running_loop()

    async def send_message(chat_id: int) -> bool:
        calls.append((chat_id, loop.time()))
        return True

    await asyncio.gather(*(
        limiter.process_request(send_message, (chat,), {}, "sendMessage", {"chat_id": chat}, None)
        for chat in (1, 1, 2, -1003)
    ))
    first, second = [at for chat, at in calls if chat == 1]
    assert second - first >= 0.8
    assert [chat for chat, _ in calls][-1] == 1  # the others went while chat 1 waited
