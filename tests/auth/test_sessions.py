from __future__ import annotations

from redis.asyncio import Redis

from auth.sessions import STREAM_TICKET_SECONDS, Sessions, token_digest
from bot import keys


async def test_a_session_is_stored_as_a_digest_with_its_ttl(redis_client: Redis) -> None:
    sessions = Sessions(redis_client)
    token = await sessions.issue("alice", ttl_seconds=600)
    session = await sessions.find(token)
    assert session is not None and session.username == "alice"
    assert session.digest == token_digest(token) != token
    assert 590 < await redis_client.ttl(keys.session_token(session.digest)) <= 600
    assert await redis_client.smembers(keys.user_sessions("alice")) == {session.digest}
    assert await sessions.find("made-up") is None


async def test_ending_one_session_leaves_the_others(redis_client: Redis) -> None:
    sessions = Sessions(redis_client)
    first, second = await sessions.issue("alice", 60), await sessions.issue("alice", 60)
    await sessions.end(first)
    assert await sessions.find(first) is None
    assert await sessions.find(second) is not None
    assert await sessions.end_all("alice") == 1
    assert await sessions.find(second) is None
    assert not await redis_client.exists(keys.user_sessions("alice"))


async def test_a_stream_ticket_works_once_and_follows_its_session(redis_client: Redis) -> None:
    sessions = Sessions(redis_client)
    token = await sessions.issue("alice", 60)
    session = await sessions.find(token)
    assert session is not None
    ticket = await sessions.stream_ticket(session)
    key = keys.stream_ticket(token_digest(ticket))
    assert 0 < await redis_client.ttl(key) <= STREAM_TICKET_SECONDS
    assert await sessions.redeem_stream_ticket(ticket) == session
    assert await sessions.redeem_stream_ticket(ticket) is None  # single use

    unused = await sessions.stream_ticket(session)
    await sessions.end(token)
    assert await sessions.redeem_stream_ticket(unused) is None  # the session ended meanwhile


async def test_a_token_from_before_the_session_index_no_longer_works(redis_client: Redis) -> None:
    old_token = "token-issued-by-an-older-version"
    await redis_client.set(
        keys.session_token(token_digest(old_token)), '{"username": "alice"}', ex=600
    )
    assert await Sessions(redis_client).find(old_token) is None
