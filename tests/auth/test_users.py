from __future__ import annotations

import json
import secrets

import pytest
from redis.asyncio import Redis

from auth.passwords import legacy_scrypt_record
from auth.users import UserError, UserStore
from bot import keys


async def test_passwords_are_hashed_and_checked(redis_client: Redis) -> None:
    users = UserStore(redis_client)
    await users.add("alice", "agent", "correct horse battery")
    stored = await redis_client.hget(keys.USERS, "alice")
    assert "correct horse" not in stored
    assert json.loads(stored)["password"].startswith("$argon2id$")
    assert (await users.verify("alice", "correct horse battery")).role == "agent"
    assert await users.verify("alice", "wrong password!") is None
    assert await users.verify("nobody", "correct horse battery") is None


async def test_an_old_scrypt_hash_still_signs_in_and_becomes_argon2(redis_client: Redis) -> None:
    users = UserStore(redis_client)
    old = {
        "role": "agent",
        "teams": ["support"],
        "capacity": 3,
        **legacy_scrypt_record("an old password", secrets.token_bytes(16)),
    }
    await redis_client.hset(keys.USERS, "wang", json.dumps(old))

    assert await users.verify("wang", "not the password") is None
    assert "password" not in json.loads(await redis_client.hget(keys.USERS, "wang"))

    user = await users.verify("wang", "an old password")
    assert user is not None and user.teams == ("support",) and user.capacity == 3
    record = json.loads(await redis_client.hget(keys.USERS, "wang"))
    assert record["password"].startswith("$argon2id$")
    assert "salt" not in record and "hash" not in record
    assert (await users.verify("wang", "an old password")).username == "wang"


async def test_tokens_resolve_until_revoked(redis_client: Redis) -> None:
    users = UserStore(redis_client)
    admin = await users.add("root", "admin", "a long admin password")
    token = await users.issue_token(admin, ttl_seconds=60)
    assert (await users.user_for_token(token)).username == "root"
    assert not await redis_client.keys(f"*{token}*")  # only a digest is stored
    await users.revoke(token)
    assert await users.user_for_token(token) is None


async def test_a_new_password_or_role_ends_every_session(redis_client: Redis) -> None:
    users = UserStore(redis_client)
    alice = await users.add("alice", "agent", "alice-password")
    bob = await users.add("bob", "agent", "bob-password")
    laptop, phone = (await users.issue_token(alice, 60), await users.issue_token(alice, 60))
    bobs = await users.issue_token(bob, 60)

    await users.set_password("alice", "a brand new password")
    assert await users.user_for_token(laptop) is None and await users.user_for_token(phone) is None
    assert (await users.user_for_token(bobs)).username == "bob"  # others keep theirs
    assert await users.verify("alice", "alice-password") is None
    assert await users.verify("alice", "a brand new password") is not None

    again = await users.issue_token(alice, 60)
    assert (await users.set_role("alice", "admin")).role == "admin"
    assert await users.user_for_token(again) is None

    again = await users.issue_token(alice, 60)
    await users.add("alice", "agent", "reset by the cli")  # `switchboard users add` replaces
    assert await users.user_for_token(again) is None

    assert await users.end_sessions("bob", "test") == 1
    assert await users.user_for_token(bobs) is None


async def test_changes_to_unknown_users_are_refused(redis_client: Redis) -> None:
    users = UserStore(redis_client)
    with pytest.raises(UserError, match="no user"):
        await users.set_password("ghost", "long enough pw")
    with pytest.raises(UserError, match="no user"):
        await users.set_role("ghost", "admin")


@pytest.mark.parametrize(
    ("name", "role", "password", "message"),
    [
        ("a", "agent", "long enough pw", "username"),
        ("bob", "boss", "long enough pw", "role"),
        ("bob", "agent", "short", "at least 8"),
    ],
)
async def test_bad_users_are_refused(
    redis_client: Redis, name: str, role: str, password: str, message: str
) -> None:
    with pytest.raises(UserError, match=message):
        await UserStore(redis_client).add(name, role, password)
