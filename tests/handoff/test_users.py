from __future__ import annotations

import pytest
from redis.asyncio import Redis

from bot import keys
from handoff.users import UserError, UserStore


async def test_passwords_are_hashed_and_checked(redis_client: Redis) -> None:
    users = UserStore(redis_client)
    await users.add("alice", "agent", "correct horse battery")
    stored = await redis_client.hget(keys.USERS, "alice")
    assert "correct horse" not in stored
    assert (await users.verify("alice", "correct horse battery")).role == "agent"
    assert await users.verify("alice", "wrong password!") is None
    assert await users.verify("nobody", "correct horse battery") is None


async def test_tokens_resolve_until_revoked(redis_client: Redis) -> None:
    users = UserStore(redis_client)
    admin = await users.add("root", "admin", "a long admin password")
    token = await users.issue_token(admin, ttl_seconds=60)
    assert (await users.user_for_token(token)).username == "root"
    assert not await redis_client.keys(f"*{token}*")  # only a digest is stored
    await users.revoke(token)
    assert await users.user_for_token(token) is None


@pytest.mark.parametrize(("name", "role", "password", "message"), [
    ("a", "agent", "long enough pw", "username"),
    ("bob", "boss", "long enough pw", "role"),
    ("bob", "agent", "short", "at least 8"),
])
async def test_bad_users_are_refused(redis_client: Redis, name: str, role: str, password: str,
                                     message: str) -> None:
    with pytest.raises(UserError, match=message):
        await UserStore(redis_client).add(name, role, password)
