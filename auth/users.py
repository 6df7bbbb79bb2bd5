"""Console users (agents and admins): hashed passwords, roles, and their sessions.

Passwords are hashed with argon2id (``auth.passwords``); sessions live in Redis
(``auth.sessions``). Whatever changes who a user is or how they prove it (a new password,
a new role, the user re-created) ends all of their sessions: a stolen token or a console left
open elsewhere stops working at once.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Literal

from redis.asyncio import Redis

from auth import passwords
from auth.sessions import Session, Sessions
from bot import keys
from bot.errors import InvalidData

logger = logging.getLogger(__name__)

Role = Literal["agent", "admin"]
ROLES: tuple[Role, ...] = ("agent", "admin")
_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,32}$")
MIN_PASSWORD_LENGTH = 8


class UserError(InvalidData):
    """A user that cannot be created or changed as asked."""


@dataclass(frozen=True)
class User:
    username: str
    role: Role
    teams: tuple[str, ...] = field(default_factory=tuple)
    capacity: int = 5


class UserStore:
    def __init__(self, redis: Redis, token_ttl_seconds: int = 12 * 3600) -> None:
        self.redis = redis
        self.sessions = Sessions(redis)
        self.token_ttl_seconds = token_ttl_seconds  # how long a sign-in lasts

    async def add(
        self,
        username: str,
        role: str,
        password: str,
        *,
        teams: tuple[str, ...] = (),
        capacity: int = 5,
    ) -> User:
        """Create or replace a user (replacing resets the password and ends their sessions)."""
        if not _USERNAME.match(username):
            raise UserError("username: 2-32 letters, digits, '.', '_' or '-'")
        _check_role(role)
        _check_password(password)
        record = {
            "role": role,
            "teams": list(teams),
            "capacity": capacity,
            "password": await passwords.hash_password(password),
        }
        await self.redis.hset(keys.USERS, username, json.dumps(record))
        await self.end_sessions(username, "user saved")
        return User(username, role, tuple(teams), capacity)  # type: ignore[arg-type]

    async def set_password(self, username: str, password: str) -> None:
        """A new password; every session of the user ends."""
        _check_password(password)
        record = await self._record(username)
        record.pop("salt", None)
        record.pop("hash", None)
        record["password"] = await passwords.hash_password(password)
        await self.redis.hset(keys.USERS, username, json.dumps(record))
        await self.end_sessions(username, "password changed")

    async def set_role(self, username: str, role: str) -> User:
        """A new role; every session of the user ends (their rights changed)."""
        _check_role(role)
        record = await self._record(username)
        record["role"] = role
        await self.redis.hset(keys.USERS, username, json.dumps(record))
        await self.end_sessions(username, "role changed")
        return _user(username, record)

    async def get(self, username: str) -> User | None:
        raw = await self.redis.hget(keys.USERS, username)
        return _user(username, json.loads(raw)) if raw else None

    async def all(self) -> list[User]:
        records = await self.redis.hgetall(keys.USERS)
        return sorted(
            (_user(name, json.loads(raw)) for name, raw in records.items()),
            key=lambda user: user.username,
        )

    async def verify(self, username: str, password: str) -> User | None:
        raw = await self.redis.hget(keys.USERS, username)
        record = json.loads(raw) if raw else None
        matches, new_hash = await passwords.check(password, record)
        if not matches or record is None:
            return None
        if new_hash is not None:  # an old scrypt hash, or older argon2 parameters
            record.pop("salt", None)
            record.pop("hash", None)
            record["password"] = new_hash
            await self.redis.hset(keys.USERS, username, json.dumps(record))
            logger.info("Re-hashed the password of %s with argon2", username)
        return _user(username, record)

    async def issue_token(self, user: User, ttl_seconds: int) -> str:
        return await self.sessions.issue(user.username, ttl_seconds)

    async def user_for_token(self, token: str) -> User | None:
        found = await self.session_for_token(token)
        return found[0] if found else None

    async def session_for_token(self, token: str) -> tuple[User, Session] | None:
        session = await self.sessions.find(token)
        if session is None:
            return None
        user = await self.get(session.username)
        return (user, session) if user is not None else None

    async def revoke(self, token: str) -> None:
        await self.sessions.end(token)

    async def end_sessions(self, username: str, why: str) -> int:
        ended = await self.sessions.end_all(username)
        if ended:
            logger.info("Ended %d session(s) of %s: %s", ended, username, why)
        return ended

    async def _record(self, username: str) -> dict:
        raw = await self.redis.hget(keys.USERS, username)
        if raw is None:
            raise UserError(f"no user {username!r}")
        return json.loads(raw)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")


def _user(username: str, record: dict) -> User:
    return User(
        username, record["role"], tuple(record.get("teams", ())), int(record.get("capacity", 5))
    )
