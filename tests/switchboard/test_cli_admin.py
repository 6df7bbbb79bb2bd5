"""``switchboard users ...``: a new password, a new role or a sign-out ends the user's sessions."""

from __future__ import annotations

import asyncio
import io
import json

import pytest
import redis
import redis.asyncio as aioredis

from auth.users import UserStore
from bot import keys
from switchboard.cli import main
from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def _shared_redis(monkeypatch: pytest.MonkeyPatch, redis_url: str) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("REDIS_URL", redis_url)
    with redis.Redis.from_url(redis_url) as client:
        client.flushdb()


def _run(monkeypatch: pytest.MonkeyPatch, args: list[str], stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(args)


def _sign_in(redis_url: str, name: str) -> str:
    async def issue() -> str:
        async with aioredis.Redis.from_url(redis_url, decode_responses=True) as client:
            users = UserStore(client)
            user = await users.get(name)
            assert user is not None
            return await users.issue_token(user, 60)

    return asyncio.run(issue())


def _signed_in(redis_url: str, token: str) -> bool:
    async def check() -> bool:
        async with aioredis.Redis.from_url(redis_url, decode_responses=True) as client:
            return await UserStore(client).user_for_token(token) is not None

    return asyncio.run(check())


def test_passwd_role_and_sign_out_end_sessions(
    monkeypatch: pytest.MonkeyPatch,
    redis_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert (
        _run(
            monkeypatch,
            ["users", "add", "alice", "--role", "agent", "--password-stdin"],
            "first-password\n",
        )
        == 0
    )

    token = _sign_in(redis_url, "alice")
    assert (
        _run(monkeypatch, ["users", "passwd", "alice", "--password-stdin"], "second-password\n")
        == 0
    )
    assert not _signed_in(redis_url, token)
    with redis.Redis.from_url(redis_url) as client:
        stored = json.loads(client.hget(keys.USERS, "alice"))
    assert stored["password"].startswith("$argon2id$")

    token = _sign_in(redis_url, "alice")
    assert _run(monkeypatch, ["users", "role", "alice", "--role", "admin"]) == 0
    assert not _signed_in(redis_url, token)

    token = _sign_in(redis_url, "alice")
    assert _run(monkeypatch, ["users", "sign-out", "alice"]) == 0
    assert not _signed_in(redis_url, token)
    assert "Ended 1 session(s) of alice." in capsys.readouterr().out


def test_unknown_users_and_short_passwords_are_refused(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _run(monkeypatch, ["users", "passwd", "ghost", "--password-stdin"], "long-enough\n") == 2
    assert _run(monkeypatch, ["users", "sign-out", "ghost"]) == 2
    assert (
        _run(
            monkeypatch,
            ["users", "add", "bob", "--role", "agent", "--password-stdin"],
            "long-enough\n",
        )
        == 0
    )
    assert _run(monkeypatch, ["users", "passwd", "bob", "--password-stdin"], "short\n") == 2
    assert "at least 8" in capsys.readouterr().err
