"""Console users (agents and admins): hashed passwords and revocable session tokens.

Passwords are hashed with scrypt and a per-user salt; session tokens are random, stored in
Redis only as their SHA-256 digest with a TTL, so a leaked database holds no usable token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass, field
from typing import Literal

from redis.asyncio import Redis

from bot import keys

Role = Literal["agent", "admin"]
ROLES: tuple[Role, ...] = ("agent", "admin")
_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,32}$")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
MIN_PASSWORD_LENGTH = 8


class UserError(ValueError):
    """A user that cannot be created as asked."""


@dataclass(frozen=True)
class User:
    username: str
    role: Role
    teams: tuple[str, ...] = field(default_factory=tuple)
    capacity: int = 5


class UserStore:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def add(self, username: str, role: str, password: str, *,
                  teams: tuple[str, ...] = (), capacity: int = 5) -> User:
        """Create or replace a user (replacing resets the password)."""
        if not _USERNAME.match(username):
            raise UserError("username: 2-32 letters, digits, '.', '_' or '-'")
        if role not in ROLES:
            raise UserError(f"role must be one of {', '.join(ROLES)}")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise UserError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
        salt = secrets.token_bytes(16)
        record = {"role": role, "teams": list(teams), "capacity": capacity,
                  "salt": salt.hex(), "hash": _hash(password, salt).hex()}
        await self.redis.hset(keys.USERS, username, json.dumps(record))
        return User(username, role, tuple(teams), capacity)  # type: ignore[arg-type]

    async def get(self, username: str) -> User | None:
        raw = await self.redis.hget(keys.USERS, username)
        return _user(username, json.loads(raw)) if raw else None

    async def all(self) -> list[User]:
        records = await self.redis.hgetall(keys.USERS)
        return sorted((_user(name, json.loads(raw)) for name, raw in records.items()),
                      key=lambda user: user.username)

    async def verify(self, username: str, password: str) -> User | None:
        raw = await self.redis.hget(keys.USERS, username)
        if raw is None:
            _hash(password, b"\0" * 16)  # same work either way: no timing hint of who exists
            return None
        record = json.loads(raw)
        expected = bytes.fromhex(record["hash"])
        if not hmac.compare_digest(_hash(password, bytes.fromhex(record["salt"])), expected):
            return None
        return _user(username, record)

    async def issue_token(self, user: User, ttl_seconds: int) -> str:
        token = secrets.token_urlsafe(32)
        await self.redis.set(keys.session_token(_digest(token)),
                             json.dumps({"username": user.username}), ex=ttl_seconds)
        return token

    async def user_for_token(self, token: str) -> User | None:
        raw = await self.redis.get(keys.session_token(_digest(token)))
        if raw is None:
            return None
        return await self.get(json.loads(raw)["username"])

    async def revoke(self, token: str) -> None:
        await self.redis.delete(keys.session_token(_digest(token)))


def _hash(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user(username: str, record: dict) -> User:
    return User(username, record["role"], tuple(record.get("teams", ())),
                int(record.get("capacity", 5)))
