"""Console sessions in Redis: issued at sign-in, ended at sign-out, all ended at once when a
user's password or role changes or an admin says so; and stream tickets for the live page.

A session token is random and stored only as its SHA-256 digest (with the token's TTL), so a
copy of the database holds no usable token. Each user has a set of their sessions' digests:
ending "all of alice's sessions" is one read of that set, never a scan of the key space.

A stream ticket exists because a browser's EventSource cannot send an Authorization header,
and a bearer token in a URL ends up in access logs, proxies and browser history. The console
trades its token for a ticket (single use, 30 s) and opens the stream with that; the stream
stays tied to the session and closes when the session ends.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass

from redis.asyncio import Redis

from bot import keys

STREAM_TICKET_SECONDS = 30


@dataclass(frozen=True)
class Session:
    username: str
    digest: str  # SHA-256 of the token: names the session without being it


class Sessions:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def issue(self, username: str, ttl_seconds: int) -> str:
        token = secrets.token_urlsafe(32)
        digest = token_digest(token)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(
                keys.session_token(digest),
                json.dumps({"username": username, "issued": round(time.time(), 3)}),
                ex=ttl_seconds,
            )
            pipe.sadd(keys.user_sessions(username), digest)
            # Every session lives as long as the newest: the index may outlive stale entries.
            pipe.expire(keys.user_sessions(username), ttl_seconds)
            await pipe.execute()
        return token

    async def find(self, token: str) -> Session | None:
        return await self.find_digest(token_digest(token))

    async def find_digest(self, digest: str) -> Session | None:
        raw = await self.redis.get(keys.session_token(digest))
        if raw is None:
            return None
        record = json.loads(raw)
        if "issued" not in record:
            # Written before sessions were indexed per user: "end all of alice's sessions"
            # could not reach it, so it does not count (one more sign-in after the upgrade).
            return None
        return Session(record["username"], digest)

    async def alive(self, digest: str) -> bool:
        return bool(await self.redis.exists(keys.session_token(digest)))

    async def end(self, token: str) -> None:
        session = await self.find(token)
        if session is not None:
            await self.end_session(session)

    async def end_session(self, session: Session) -> None:
        await self.redis.delete(keys.session_token(session.digest))
        await self.redis.srem(keys.user_sessions(session.username), session.digest)

    async def end_all(self, username: str) -> int:
        """End every session of ``username``; how many were still open."""
        digests = await self.redis.smembers(keys.user_sessions(username))
        async with self.redis.pipeline(transaction=True) as pipe:
            for digest in digests:
                pipe.delete(keys.session_token(digest))
            pipe.delete(keys.user_sessions(username))
            results = await pipe.execute()
        return sum(results[:-1])

    async def stream_ticket(self, session: Session) -> str:
        ticket = secrets.token_urlsafe(24)
        await self.redis.set(
            keys.stream_ticket(token_digest(ticket)),
            json.dumps({"session": session.digest}),
            ex=STREAM_TICKET_SECONDS,
        )
        return ticket

    async def redeem_stream_ticket(self, ticket: str) -> Session | None:
        """The session a ticket was issued to, if the ticket is fresh, unused and the session
        still open. A ticket works once."""
        raw = await self.redis.getdel(keys.stream_ticket(token_digest(ticket)))
        if raw is None:
            return None
        return await self.find_digest(json.loads(raw)["session"])


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
