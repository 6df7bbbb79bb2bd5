"""Password hashing for console users: argon2id through pwdlib, off the event loop.

Hashes are self-describing (``$argon2id$v=19$m=...``), so parameters can change later without
a migration. Records written before argon2 hold a scrypt hash and its salt; they still verify,
and the caller re-hashes the password with argon2 at the next successful sign-in.

A hash costs ~0.2 s of CPU and 64 MiB: it runs in a small thread pool of its own, so that a
flood of sign-ins neither blocks the event loop (webhooks, health checks, live streams) nor
takes every thread of the default executor.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

# pwdlib's defaults (argon2id, 64 MiB, 3 passes) but one lane: a hash keeps to one core, so
# two hashes at once leave the event loop a fair share of a small machine.
_HASHER = PasswordHash((Argon2Hasher(parallelism=1),))
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="password-hash")
_LEGACY_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


async def hash_password(password: str) -> str:
    return await _run(_HASHER.hash, password)


async def check(password: str, record: dict[str, Any] | None) -> tuple[bool, str | None]:
    """(matches, new hash to store or None). A stored scrypt hash that matches always gets a
    new argon2 hash; so does an argon2 hash made with parameters older than today's."""
    if record is None:
        await _run(_HASHER.verify, password, _dummy_hash())
        return False, None
    if "password" in record:
        return await _run(_HASHER.verify_and_update, password, record["password"])
    if await _run(_scrypt_matches, password, record):
        return True, await hash_password(password)
    return False, None


def _scrypt_matches(password: str, record: dict[str, Any]) -> bool:
    digest = hashlib.scrypt(
        password.encode(), salt=bytes.fromhex(record["salt"]), dklen=32, **_LEGACY_SCRYPT
    )
    return hmac.compare_digest(digest, bytes.fromhex(record["hash"]))


def legacy_scrypt_record(password: str, salt: bytes) -> dict[str, str]:
    """A record as written before argon2 (kept for tests of the migration and for tools)."""
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_LEGACY_SCRYPT)
    return {"salt": salt.hex(), "hash": digest.hex()}


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist: the same work either way."""
    return _HASHER.hash("switchboard: no such user")


async def _run(function: Any, *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(_POOL, function, *args)
